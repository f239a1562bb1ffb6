// Package privacy answers a data subject's request under UU 27/2022
// (Pelindungan Data Pribadi) for the person with a NIK: an export of
// everything Aduan holds about them, and the erasure of their identity.
// Only an admin may do either, and each is written to the audit log by
// reporter id, never with the NIK in clear. docs/privacy.md says what an
// erasure keeps and why.
package privacy

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/dossier"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// ErrNotAdmin is returned for an actor other than an admin.
var ErrNotAdmin = fmt.Errorf("data-subject requests are answered by an admin: %w", workflow.ErrForbidden)

// Authorize refuses every actor but an admin.
func Authorize(actor workflow.Actor) error {
	if actor.Role != workflow.RoleAdmin {
		return ErrNotAdmin
	}
	return nil
}

// Format is how an export is written.
type Format string

// The export formats.
const (
	// JSON is the records alone (data.json of the archive).
	JSON Format = "json"
	// Zip is the records with the files the person sent, KTP photos among
	// them.
	Zip Format = "zip"
)

// Archive entry names.
const (
	DataName   = "data.json"
	ReadmeName = "README.txt"
	FileDir    = "berkas/"
)

// Export gathers what is held about the person with nik, writes the audit
// row (privacy.exported, per reporter and per conversation about them), and
// only then writes the records to w in format f. A zip that cannot be
// completed (a file missing from the object store) fails naming the file.
// Nothing found is still audited, by the masked NIK, and gives the empty
// Subject.
func Export(ctx context.Context, st *store.Store, files *bus.Bus, actor workflow.Actor, nik string, w io.Writer,
	f Format) (*store.Subject, error) {
	sub, err := gather(ctx, st, actor, nik, "privacy.exported", map[string]any{"format": string(f)})
	if err != nil {
		return nil, err
	}
	if f != Zip {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return sub, enc.Encode(sub)
	}
	n := 0
	forEachFile(sub, func(file *store.SubjectFile) {
		n++
		name := dossier.SafeName(file.Filename)
		if file.KTP {
			name = "KTP-" + name
		}
		file.Path = fmt.Sprintf("%s%d-%s", FileDir, n, name)
	})
	return sub, writeZip(ctx, w, sub, files)
}

// Preview gathers what Erase would remove, for the admin to confirm. It
// shows the person's tickets, so it is audited too (privacy.erase_previewed).
func Preview(ctx context.Context, st *store.Store, actor workflow.Actor, nik string) (*store.Subject, error) {
	return gather(ctx, st, actor, nik, "privacy.erase_previewed", map[string]any{})
}

// gather checks the actor, reads the person's records and audits the
// reading as action.
func gather(ctx context.Context, st *store.Store, actor workflow.Actor, nik, action string, detail map[string]any) (*store.Subject, error) {
	if err := Authorize(actor); err != nil {
		return nil, err
	}
	sub, err := st.SubjectByNIK(ctx, nik)
	if err != nil {
		return nil, err
	}
	err = st.InTx(ctx, func(tx *store.Tx) error { return audit(ctx, tx, actor.Name, action, sub, nik, detail) })
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// audit writes action once per reporter and per conversation about the
// person, or once by the masked NIK when nothing was found.
func audit(ctx context.Context, tx *store.Tx, actor, action string, sub *store.Subject, nik string, detail map[string]any) error {
	if sub.Empty() {
		detail["found"] = false
		return tx.Audit(ctx, actor, action, "nik", identity.MaskNIK(nik), detail)
	}
	for _, r := range sub.Reporters {
		if err := tx.Audit(ctx, actor, action, "reporter", fmt.Sprint(int64(r.ID)), detail); err != nil {
			return err
		}
	}
	for _, c := range sub.Concerned {
		if err := tx.Audit(ctx, actor, action, "conversation", fmt.Sprint(int64(c.ConversationID)),
			map[string]any{"as": "concerned"}); err != nil {
			return err
		}
	}
	return nil
}

func forEachFile(sub *store.Subject, fn func(*store.SubjectFile)) {
	for i := range sub.Reporters {
		for j := range sub.Reporters[i].Conversations {
			msgs := sub.Reporters[i].Conversations[j].Messages
			for k := range msgs {
				for l := range msgs[k].Files {
					fn(&msgs[k].Files[l])
				}
			}
		}
	}
}

const readme = `Data pribadi yang disimpan Aduan tentang pemilik NIK ini, diekspor atas
permintaan pemilik data (UU 27/2022 tentang Pelindungan Data Pribadi).

data.json   identitas pelapor, identitas di setiap kanal, percakapan dan
            pesan, pengaduan beserta riwayatnya, serta percakapan orang lain
            yang menyebut pemilik NIK ini sebagai penerima manfaat
berkas/     berkas yang dikirim pemilik data (foto KTP diawali "KTP-");
            path di data.json menunjuk ke sini
`

func writeZip(ctx context.Context, w io.Writer, sub *store.Subject, files *bus.Bus) error {
	zw := zip.NewWriter(w)
	now := time.Now()
	put := func(name string, method uint16, write func(io.Writer) error) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: now})
		if err != nil {
			return err
		}
		if err := write(fw); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	err := put(ReadmeName, zip.Deflate, func(w io.Writer) error {
		_, err := io.WriteString(w, readme)
		return err
	})
	if err == nil {
		err = put(DataName, zip.Deflate, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(sub)
		})
	}
	forEachFile(sub, func(file *store.SubjectFile) {
		if err != nil || file.Path == "" {
			return
		}
		err = put(file.Path, zip.Store, func(w io.Writer) error {
			body, _, err := files.GetAttachment(ctx, file.ObjectKey)
			if err != nil {
				return err
			}
			defer body.Close()
			_, err = io.Copy(w, body)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return zw.Close()
}

// Erase removes the identity of the person with nik (store.EraseSubject)
// and the bytes of their files in the object store, before the database
// change commits.
func Erase(ctx context.Context, st *store.Store, files *bus.Bus, actor workflow.Actor, nik string) (store.Erased, error) {
	if err := Authorize(actor); err != nil {
		return store.Erased{}, err
	}
	return st.EraseSubject(ctx, actor.Name, nik, func(keys []string) error {
		for _, k := range keys {
			if err := files.DeleteAttachment(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
}
