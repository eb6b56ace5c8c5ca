# `''''${x}''`: opener, then `''$` (a literal $), then text {x}.
''''${x}''
