package main

// setupCampaigns will list campaigns with their progress, so failures can be
// found and retried.
var setupCampaigns = notBuiltCommand("campaigns")
