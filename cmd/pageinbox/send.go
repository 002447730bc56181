package main

// setupSend will queue one message for one conversation; the dispatcher checks
// the messaging window before it reaches the Send API.
var setupSend = notBuiltCommand("send")
