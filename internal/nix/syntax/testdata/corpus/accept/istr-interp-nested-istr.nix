''outer ${''inner ${''innermost''}''}''
