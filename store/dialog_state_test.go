package store

import "testing"

func TestAttachmentPreviewInIndonesian(t *testing.T) {
	for kind, want := range map[string]string{"image": "[gambar]", "document": "[dokumen]", "audio": "[rekaman suara]",
		"sticker": "[stiker]", "video": "[video]", "something-new": "[berkas]"} {
		if got := attachmentPreview(kind); got != want {
			t.Errorf("%s: %s, want %s", kind, got, want)
		}
	}
}
