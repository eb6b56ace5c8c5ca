# `'''${x}''`: opener, a lone ', then a real interpolation.
let x = "v"; in '''${x}''
