# A URI must start with a letter: this is 1 applied to "a:x".
1a:x
