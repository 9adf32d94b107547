"""`corslint simulate`: what a browser would do with one request, from the same model the rules judge.

`request` says what the browser sends and whether it preflights; `scopes` picks the policies that handle the request;
`responses` predicts the CORS headers of the preflight answer and of the actual response, each with its line;
`browser` runs the Fetch standard's checks on them and names the console message; `report` prints the verdict.
"""
