# `1.2.3` lexes as 1.2 followed by .3
1.2.3
