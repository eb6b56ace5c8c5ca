''
	tab indented
	  more
''
