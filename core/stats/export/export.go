// Package export writes the statistics' tables as the files the office
// sends upward: CSV and an Excel workbook.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/aduan-gateway/aduan/core/stats"
)

// CSV writes the tables one after the other: the title on a line of
// its own, the header, the rows, an empty line. Text cells that a
// spreadsheet would read as a formula are prefixed with an apostrophe.
func CSV(w io.Writer, tables []stats.Table) error {
	cw := csv.NewWriter(w)
	for i, t := range tables {
		if i > 0 {
			cw.Write(nil) //nolint:errcheck // reported by Flush
		}
		cw.Write([]string{SafeCell(t.Title)}) //nolint:errcheck
		cw.Write(safeRow(t.Header))           //nolint:errcheck
		for _, row := range t.Rows {
			rec := make([]string, len(row))
			for j, c := range row {
				rec[j] = cellText(c)
			}
			cw.Write(rec) //nolint:errcheck
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return nil
}

// SafeCell keeps a spreadsheet from running text as a formula: a cell
// starting with = + - @ (or a tab or carriage return) gets a leading
// apostrophe.
func SafeCell(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}

func safeRow(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = SafeCell(x)
	}
	return out
}

// cellText writes numbers plainly (a dot for decimals) and text made safe.
func cellText(c any) string {
	switch v := c.(type) {
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return SafeCell(v)
	}
	return SafeCell(fmt.Sprint(c))
}

// Text writes the tables for a terminal: each title on its own line, then
// the header and the rows in aligned columns, an empty line between
// tables. A figure that cannot be computed shows as "–"; control
// characters (an admin-typed category name) are replaced, so nothing in a
// cell can drive the terminal.
func Text(w io.Writer, tables []stats.Table) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintln(tw, printable(t.Title))
		header := make([]string, len(t.Header))
		for j, h := range t.Header {
			header[j] = printable(h)
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, row := range t.Rows {
			cells := make([]string, len(row))
			for j, c := range row {
				switch v := c.(type) {
				case int:
					cells[j] = strconv.Itoa(v)
				case float64:
					cells[j] = strconv.FormatFloat(v, 'f', -1, 64)
				case string:
					if cells[j] = printable(v); v == "" {
						cells[j] = "–"
					}
				default:
					cells[j] = printable(fmt.Sprint(c))
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing text: %w", err)
	}
	return nil
}

// printable replaces control characters, tabs (the column separator) included.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// XLSX writes the tables as a workbook, one worksheet each: the title
// in the first row, the header (bold, shaded) in the second, numbers as
// numbers.
func XLSX(w io.Writer, tables []stats.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return fmt.Errorf("writing xlsx: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Border: []excelize.Border{{Type: "bottom", Color: "4F6D8F", Style: 1}},
	})
	if err != nil {
		return fmt.Errorf("writing xlsx: %w", err)
	}
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Sheet); err != nil {
				return fmt.Errorf("writing xlsx: %w", err)
			}
		} else if _, err := f.NewSheet(t.Sheet); err != nil {
			return fmt.Errorf("writing xlsx sheet %s: %w", t.Sheet, err)
		}
		if err := writeSheet(f, t, title, header); err != nil {
			return fmt.Errorf("writing xlsx sheet %s: %w", t.Sheet, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("writing xlsx: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, t stats.Table, title, header int) error {
	set := func(col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if s, ok := v.(string); ok {
			// Text is never a formula: SetCellStr stores it as a string.
			return f.SetCellStr(t.Sheet, cell, s)
		}
		return f.SetCellValue(t.Sheet, cell, v)
	}
	if err := set(1, 1, t.Title); err != nil {
		return err
	}
	if err := f.SetCellStyle(t.Sheet, "A1", "A1", title); err != nil {
		return err
	}
	for j, h := range t.Header {
		if err := set(j+1, 2, h); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(len(t.Header), 2)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(t.Sheet, "A2", last, header); err != nil {
		return err
	}
	for i, row := range t.Rows {
		for j, c := range row {
			if err := set(j+1, i+3, c); err != nil {
				return err
			}
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(t.Header))
	if err := f.SetColWidth(t.Sheet, "A", "A", 42); err != nil {
		return err
	}
	if len(t.Header) > 1 {
		return f.SetColWidth(t.Sheet, "B", lastCol, 18)
	}
	return nil
}
