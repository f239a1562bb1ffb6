package dossier

import (
	"fmt"
	"io"
	"strings"
)

// writeReadme lists, in Indonesian, what the archive holds: it is read by
// officers and auditors who open the zip years later.
func writeReadme(w io.Writer, in Input, attachments []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Berkas pengaduan %s\n", oneLine(in.Ticket))
	if !in.CreatedAt.IsZero() {
		fmt.Fprintf(&b, "Disusun: %s\n", wibTime(in.CreatedAt))
	}
	b.WriteString("\nIsi arsip ini:\n\n")
	row := func(name, what string) { fmt.Fprintf(&b, "  %-20s %s\n", name, what) }
	row(ReadmeName, "keterangan ini")
	row(ComplaintName, "ringkasan pengaduan (tiket, saluran, status, klasifikasi, batas waktu, pelapor)")
	row(TimelineName, "riwayat penanganan: waktu (WIB), pelaku, tindakan, keterangan")
	row(ThreadName, "percakapan dengan pelapor sesuai urutan waktu (MASUK = dari pelapor, KELUAR = dari petugas)")
	if in.BeritaAcara != nil {
		row(BeritaAcaraName, "Berita Acara Penyelesaian Pengaduan")
	}
	if len(attachments) == 0 {
		row(AttachmentDir, "(tidak ada lampiran)")
	} else {
		row(AttachmentDir, fmt.Sprintf("%d lampiran (foto, dokumen) yang boleh dilihat oleh pengunduh:", len(attachments)))
		for _, n := range attachments {
			fmt.Fprintf(&b, "    %s\n", n)
		}
	}
	b.WriteString("\nSemua waktu dalam WIB (UTC+7). Arsip ini memuat data pribadi pelapor;\n" +
		"simpan dan bagikan hanya sesuai ketentuan pelindungan data pribadi.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
