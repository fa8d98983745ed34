module github.com/bulwarkhq/bulwark/examples/crsregression

go 1.26.0

replace github.com/bulwarkhq/bulwark => ../..

require (
	github.com/bulwarkhq/bulwark v0.0.0
	github.com/corazawaf/coraza-coreruleset/v4 v4.25.0
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/magefile/mage v1.17.0 // indirect
