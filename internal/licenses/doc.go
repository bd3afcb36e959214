// Package licenses has no code. Its test keeps the project's license
// records in step with the build: the module table of docs/licenses.md must
// equal what `go list -deps ./...` reports, each module's license is read
// from the LICENSE file of its copy in the module cache and must be one
// that may be distributed with Apache-2.0 code, and NOTICE must reproduce
// every NOTICE file those modules carry (Apache-2.0 §4(d)). The test needs
// the go command and the module cache, not the network.
package licenses
