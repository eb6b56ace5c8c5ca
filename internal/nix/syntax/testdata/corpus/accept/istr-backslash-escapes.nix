''tab''\t newline''\n cr''\r quote''\' other''\x''
