package main

import (
	"net/http"

	"github.com/aduan-gateway/aduan/adapters/web"
	"github.com/aduan-gateway/aduan/config"
)

func init() { roleStarters[config.RoleWeb] = startWeb }

// startWeb mounts the admin inbox under /admin, the public results under
// /publikasi and the Open311 read API under /open311/v2, and relays inbox changes to
// open browsers.
func startWeb(env *serveEnv) error {
	srv, err := web.New(web.Options{
		Store:        env.store,
		Bus:          env.bus,
		Web:          env.cfg.Web,
		Complaints:   env.complaints,
		KickOutbox:   env.relay.Kick,
		ChannelsOff:  env.cfg.ChannelsOff(),
		Required:     env.cfg.Required,
		HolidaysDir:  env.cfg.HolidaysPath(),
		HolidayFiles: env.holidayFiles,
		Log:          env.log,
	})
	if err != nil {
		return err
	}
	env.reg.MustRegister(newDueCollector(env.store, env.complaints))
	srv.Mount(env.mux)
	pub, err := web.NewPublic(web.PublicOptions{Store: env.store, Office: env.cfg.Office, Log: env.log})
	if err != nil {
		return err
	}
	pub.Mount(env.mux)
	env.mux.Handle("GET /{$}", http.RedirectHandler(web.Prefix+"/", http.StatusSeeOther))
	env.goRun("web", srv.Run)
	return nil
}
