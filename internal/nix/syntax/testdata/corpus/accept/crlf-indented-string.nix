''
  first
  second
''
