package main

// setupDemo will run the inbox against fbgraph/fbtest's Meta emulator, so a
// newcomer sees it work without a Facebook app.
var setupDemo = notBuiltCommand("demo")
