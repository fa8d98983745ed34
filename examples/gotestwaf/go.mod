module github.com/bulwarkhq/bulwark/examples/gotestwaf

go 1.26.0

replace github.com/bulwarkhq/bulwark => ../..

require (
	github.com/bulwarkhq/bulwark v0.0.0
	gopkg.in/yaml.v3 v3.0.1
)
