let x = "y"; in ./a/${"${x}/c"}/d
