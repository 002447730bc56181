package main

// setupExport will write conversations and messages out of the store. It must
// never write a secret.
var setupExport = notBuiltCommand("export")
