~/src/project
