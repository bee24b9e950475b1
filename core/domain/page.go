package domain

// Page limits. Lists are always paginated so that no request can ask for everything.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

// PageRequest selects a window of a list.
type PageRequest struct {
	Limit  int
	Offset int
}

// NewPageRequest validates limit (1..100) and offset (>= 0).
func NewPageRequest(limit, offset int) (PageRequest, error) {
	var v ValidationError
	if limit < 1 || limit > MaxPageLimit {
		v.Add("limit", "must be an integer from 1 to 100")
	}
	if offset < 0 {
		v.Add("offset", "must be an integer >= 0")
	}
	if err := v.Err(); err != nil {
		return PageRequest{}, err
	}
	return PageRequest{Limit: limit, Offset: offset}, nil
}

// Page is one window of a list together with the size of the whole list.
type Page[T any] struct {
	Items []T
	Total int
	PageRequest
}
