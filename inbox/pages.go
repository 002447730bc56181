package inbox

import (
	"context"
	"log/slog"
	"strings"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/store"
)

// Several Pages: every call to Meta goes with the token of the Page it
// is for (fbgraph.Pages); a Page without one gets fbgraph.NoPageTokenError.

// apiFor is the label API of the Page pageID.
func (l *LabelSyncer) apiFor(pageID string) (LabelAPI, error) {
	if l.for_ == nil {
		return l.api, nil
	}
	return l.for_(pageID)
}

// NewPagesLabelSyncer is a LabelSyncer that talks to Meta with the
// token of each conversation's Page.
func NewPagesLabelSyncer(pages *fbgraph.Pages, st *store.Store, log *slog.Logger) *LabelSyncer {
	l := NewLabelSyncer(nil, st, log)
	l.for_ = func(pageID string) (LabelAPI, error) { return pages.For(pageID) }
	return l
}

// PagesUploads is the UploadFunc uploading with the token of the Page
// the file is for (attachment ids are per Page).
func PagesUploads(pages *fbgraph.Pages, st fbgraph.UploadStore) UploadFunc {
	return func(ctx context.Context, pageID, path string) (store.Upload, bool, error) {
		gc, err := pages.For(pageID)
		if err != nil {
			return store.Upload{}, false, err
		}
		return (&fbgraph.Uploader{Client: gc, Store: st, PageID: pageID}).Attach(ctx, path)
	}
}

// pagesOf is the Pages of Options: Pages, else the one Graph client for
// every Page; nil without any token.
func pagesOf(o Options) *fbgraph.Pages {
	if o.Pages != nil && o.Pages.Len() > 0 {
		return o.Pages
	}
	if o.Graph == nil {
		return nil
	}
	p := fbgraph.NewPages()
	p.Add("", o.Graph)
	return p
}

// startSending starts what needs a token: with one Page its client as
// before, with several each Page's own (a refused token then holds only
// its Page's sends).
func (s *Service) startSending(st *store.Store, o Options, log *slog.Logger) {
	pages := s.pages
	var send fbgraph.Sender = pages
	var names NameLookup = pages
	if gc, err := pages.For(""); err == nil && pages.Len() == 1 {
		s.graph, send, names = gc, gc, gc
		s.labels = NewLabelSyncer(gc, st, log)
	} else {
		s.labels = NewPagesLabelSyncer(pages, st, log)
	}
	// While a refused token holds the replies back, Meta is asked now and
	// then whether it works again; they go out as soon as it does.
	probePage := func(ctx context.Context, pageID string) error {
		gc, err := pages.For(pageID)
		if err == nil {
			_, err = gc.Me(ctx)
		}
		return err
	}
	probe := func(ctx context.Context) error { return probePage(ctx, "") }
	s.disp = fbgraph.NewDispatcher(st, send, fbgraph.DispatcherOptions{Logger: log, Probe: probe, ProbePage: probePage})
	s.names = NewNamer(names, st, log)
	s.Local.LabelsChanged = s.labels.Changed
	s.Local.Wake = s.disp.Wake
	s.Local.Uploader = PagesUploads(pages, st)
}

// learnPages reads each Page's name from its token into the store's
// Pages (the all-Pages view names them), and warns when a token is
// another Page's than the one it was connected for.
func (s *Service) learnPages(ctx context.Context) {
	if err := s.pages.NameLone(ctx); err != nil {
		s.log.Warn("reading the Page of PAGE_ACCESS_TOKEN failed", "err", err)
	}
	for _, id := range s.pages.IDs() {
		gc, err := s.pages.For(id)
		if err != nil {
			continue
		}
		me, err := gc.Me(ctx)
		switch {
		case err != nil:
			s.log.Warn("reading a Page from its token failed", "page", id, "err", err)
		case me.ID != id:
			s.log.Error("the token connected for one Page is another Page's: its sends will be refused", "page", id, "token_page", me.ID)
		case me.Name != "":
			if err := s.st.PutPage(ctx, store.Page{ID: id, Name: me.Name}); err != nil {
				s.log.Warn("storing a Page's name failed", "page", id, "err", err)
			}
		}
	}
}

// pageByName is the id of the Page of the data file named page (case
// aside), else page itself: `--page "Harbour Kids"` works wherever the
// store knows the Page's name.
func pageByName(ctx context.Context, page string, pages PageLister) string {
	if pages == nil || strings.Trim(page, "0123456789") == "" {
		return page // an id
	}
	list, err := pages.Pages(ctx)
	if err != nil {
		return page
	}
	for _, p := range list {
		if p.Name != "" && strings.EqualFold(p.Name, page) {
			return p.ID
		}
	}
	return page
}
