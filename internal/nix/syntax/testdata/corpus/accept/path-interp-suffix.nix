let x = "y"; in ./a${x}
