// Package feature names the entries of the behavioural feature vector that
// threat/behavior computes for each client and threat/anomaly's models
// score (their feature names are Names, in order).
package feature

// Indexes of a Vector.
const (
	Rate           = iota // requests per second over the window
	Ratio4xx              // share of observed responses in 400-499
	RatioAuth             // share of 401 and 403
	Ratio404              // share of 404
	Ratio5xx              // share of 500-599
	PathDiversity         // distinct paths / requests
	InterArrivalCV        // coefficient of variation of inter-arrival gaps (low: machine-regular)
	UserAgents            // distinct user agents in the window
	HeaderSets            // distinct header-name sets in the window
	SequenceNLL           // mean negative log-likelihood of recent route transitions
	LoginShare            // share of requests to login-like paths
	BareBrowser           // share of requests with a browser user agent but no Accept nor Accept-Language
	Num
)

// Names names the entries of a Vector, in order.
var Names = [Num]string{
	"rate", "ratio_4xx", "ratio_auth", "ratio_404", "ratio_5xx", "path_diversity",
	"interarrival_cv", "user_agents", "header_sets", "sequence_nll", "login_share", "bare_browser",
}

// Vector is a client's behavioural feature vector.
type Vector [Num]float64
