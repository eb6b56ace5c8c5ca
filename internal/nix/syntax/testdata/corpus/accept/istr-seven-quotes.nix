# Opener, the escape ''' (giving ''), closer.
'''''''
