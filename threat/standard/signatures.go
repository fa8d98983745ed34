package standard

import "github.com/bulwarkhq/bulwark/threat"

// signatureDetectors returns the payload detectors.
func signatureDetectors() ([]threat.Detector, error) { return nil, nil }
