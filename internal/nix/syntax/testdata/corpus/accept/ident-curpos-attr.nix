{ __curPos = 1; }.__curPos
