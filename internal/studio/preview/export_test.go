package preview

// Files returns the build the preview serves, unrewritten, for comparing
// it with a fresh build in tests.
func Files(p *Preview) map[string][]byte {
	st := p.cur.Load()
	if st == nil {
		return nil
	}
	return st.mem.Snapshot()
}
