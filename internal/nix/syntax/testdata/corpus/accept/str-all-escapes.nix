"newline\n tab\t cr\r backslash\\ quote\" dollar\$ other\x \q \{"
