let x = "y"; in /${x}
