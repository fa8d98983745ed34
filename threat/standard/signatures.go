package standard

import (
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// signatureDetectors returns the payload detectors.
func signatureDetectors() ([]threat.Detector, error) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		return nil, err
	}
	return []threat.Detector{d}, nil
}
