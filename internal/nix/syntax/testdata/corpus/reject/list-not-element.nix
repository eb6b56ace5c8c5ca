[ !true ]
