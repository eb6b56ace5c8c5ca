let x = { }; in x ? a ? b ? c
