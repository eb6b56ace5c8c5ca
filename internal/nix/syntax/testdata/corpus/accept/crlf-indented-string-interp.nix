let x = 1; in ''
  a ${toString x}
  b
''
