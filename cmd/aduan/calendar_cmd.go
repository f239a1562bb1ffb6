package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// calendarReload is how often a running process looks for holiday years
// saved on the web by another process (docs/calendar.md says why a check
// rather than a NATS notice).
const calendarReload = 30 * time.Second

func init() {
	c := &command{
		name:    "calendar",
		summary: "working-day calendar (calendar due --received T --class A|B|C | show [YEAR])",
		usage: `Usage: aduan calendar due --received RFC3339 --class A|B|C
       aduan calendar show [YEAR]

due prints the due date (YYYY-MM-DD) of a report received at the given time
(e.g. 2026-03-17T10:00:00+07:00) with the deadline of its class: A 5, B 14,
C 60 working days, day 1 being the first working day after the WIB date of
receipt. It fails, naming the year, when the count reaches a year without
holiday data.

show YEAR lists that year's national holidays and cuti bersama days; show
alone lists the years with data and where each comes from.

Working days are Monday to Friday minus those days. The binary carries the
years it knows; more years (or corrections) are entered by an admin on the
page /admin/kalender (kept in the database, read when it answers) or are
files like 2027.txt in the holidays folder, ADUAN_HOLIDAYS_DIR (default
<data dir>/holidays), which win. docs/calendar.md describes the format.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if done, err := subcommandUsage(c, args, stderr); done {
			return err
		}
		fs := newFlags(c, stderr)
		received := fs.String("received", "", "due: when the report was received, RFC 3339 (2026-03-17T10:00:00+07:00)")
		class := fs.String("class", "", "due: deadline class A, B or C")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		sub := args[0]
		if sub != "due" && sub != "show" || sub == "due" && fs.NArg() > 0 || sub == "show" && fs.NArg() > 1 {
			fs.Usage()
			return errUsage
		}
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		var st *store.Store
		if st = openCalendarStore(ctx, cfg, stderr); st != nil {
			defer st.Close()
		}
		cal, _, err := loadCalendar(ctx, cfg, st)
		if err != nil {
			return err
		}
		if sub == "due" {
			return calendarDue(cal, cfg, *received, *class, stdout)
		}
		if fs.NArg() == 0 {
			return calendarYears(cal, stdout)
		}
		return calendarShow(cal, cfg, fs.Arg(0), stdout)
	}
	register(c)
}

// holidayFiles reads the *.txt year files of the holidays folder. The
// default folder may be missing; one set with ADUAN_HOLIDAYS_DIR was checked
// by config.Validate.
func holidayFiles(cfg *config.Config) ([]calendar.Source, error) {
	dir := cfg.HolidaysPath()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) && cfg.HolidaysDir == "" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("holidays folder: %w", err)
	}
	var srcs []calendar.Source
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".txt" {
			continue
		}
		name := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("holidays folder: %w", err)
		}
		srcs = append(srcs, calendar.Source{Name: name, Data: data})
	}
	return srcs, nil
}

// loadCalendar builds the working-day calendar from the built-in years, the
// holidays folder's files and, when st is not nil, the years entered on the
// web (folder over web over built-in, calendar.Layered). shadowed are web
// years a folder file overrides.
func loadCalendar(ctx context.Context, cfg *config.Config, st *store.Store) (cal *calendar.Calendar, shadowed []int, err error) {
	files, err := holidayFiles(cfg)
	if err != nil {
		return nil, nil, err
	}
	if st == nil {
		cal, err = calendar.New(files...)
		return cal, nil, err
	}
	return st.Calendar(ctx, files)
}

// calendarStoreWait bounds how long the calendar commands try the database
// before counting without the web's years.
const calendarStoreWait = 5 * time.Second

// openCalendarStore opens the database for the calendar commands, which
// work without it: when none answers they say so on stderr and count with
// the built-in and folder years alone. The caller closes a non-nil store.
func openCalendarStore(ctx context.Context, cfg *config.Config, stderr io.Writer) *store.Store {
	ctx, cancel := context.WithTimeout(ctx, calendarStoreWait)
	defer cancel()
	st, err := openStore(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "note: years entered on the web are not included: %v\n", err)
		return nil
	}
	return st
}

// reloadCalendar checks the web's years every interval and, when one
// was saved (by this process's calendar page or another's), hands the
// rebuilt calendar to complaints: every process takes a new year up
// without a restart. The folder's files are those read at start. The first
// check rebuilds at once, quietly, in case a year was saved while serve was
// starting, after its calendar was built.
func reloadCalendar(ctx context.Context, log zerolog.Logger, cfg *config.Config, st *store.Store, complaints *complaint.Service, files []calendar.Source, interval time.Duration) error {
	clog := log.With().Str("comp", "calendar").Logger()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var stamp string // of the calendar in use; "" before the first check
	for {
		now, err := st.HolidayYearsStamp(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				clog.Warn().Err(err).Msg("checking the holiday years entered on the web")
			}
		case now != stamp:
			cal, _, err := st.Calendar(ctx, files)
			if err != nil {
				clog.Error().Err(err).Msg("rebuilding the calendar with the holiday years entered on the web; keeping the one in use")
				break
			}
			complaints.SetCalendar(cal)
			if stamp != "" {
				clog.Info().Ints("years", cal.Years()).Msg("calendar reloaded: holiday years changed on the web")
				warnMissingHolidays(log, cal, cfg, time.Now())
			}
			stamp = now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// warnMissingHolidays logs, loudly, the years without holiday data that a
// class C deadline counted from now may reach: complaints whose deadline
// falls there cannot get a due date until an administrator adds the year.
func warnMissingHolidays(log zerolog.Logger, cal *calendar.Calendar, cfg *config.Config, now time.Time) {
	missing := cal.MissingYears(now, workflow.ClassC.WorkingDays())
	if len(missing) == 0 {
		return
	}
	log.Warn().Str("comp", "calendar").Ints("years", missing).Str("holidays_dir", cfg.HolidaysPath()).
		Msg("no holiday data for years that deadlines starting now may reach: due dates there are refused until an admin adds the joint decree (SKB) of each year on the page /admin/kalender or as YEAR.txt in the holidays folder (docs/calendar.md)")
}

// noDataHint adds where an administrator puts the missing year's file.
func noDataHint(err error, cfg *config.Config) error {
	var nd *calendar.NoDataError
	if errors.As(err, &nd) {
		return fmt.Errorf("%w; enter it on the page /admin/kalender or put %d.txt in %s", err, nd.Year, cfg.HolidaysPath())
	}
	return err
}

func calendarDue(cal *calendar.Calendar, cfg *config.Config, received, class string, stdout io.Writer) error {
	if received == "" || class == "" {
		return errors.New("due needs --received and --class")
	}
	at, err := time.Parse(time.RFC3339, received)
	if err != nil {
		return fmt.Errorf("--received %q: want RFC 3339, e.g. 2026-03-17T10:00:00+07:00", received)
	}
	cl, err := workflow.ParseClass(class)
	if err != nil {
		return err
	}
	due, err := cal.Due(at, cl.WorkingDays())
	if err != nil {
		return noDataHint(err, cfg)
	}
	_, err = fmt.Fprintln(stdout, due)
	return err
}

func calendarYears(cal *calendar.Calendar, stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "YEAR\tDAYS OFF\tFROM")
	for _, y := range cal.Years() {
		hs, _ := cal.Year(y)
		fmt.Fprintf(tw, "%d\t%d\t%s\n", y, len(hs), cal.Origin(y))
	}
	return tw.Flush()
}

func calendarShow(cal *calendar.Calendar, cfg *config.Config, year string, stdout io.Writer) error {
	y, err := strconv.Atoi(strings.TrimSpace(year))
	if err != nil {
		return fmt.Errorf("year %q: want a number such as 2026", year)
	}
	hs, err := cal.Year(y)
	if err != nil {
		return noDataHint(err, cfg)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tDAY\tKIND\tNAME")
	for _, h := range hs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Date, calendar.DayName(h.Date.Weekday()), h.Kind.Label(), h.Name)
	}
	return tw.Flush()
}
