''   
  text
''
