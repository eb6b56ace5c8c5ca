# Opener, the escape ''', then a lone ' and end of file.
''''''
