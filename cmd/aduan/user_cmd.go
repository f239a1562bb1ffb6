package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/aduan-gateway/aduan/adapters/web"
	"github.com/aduan-gateway/aduan/core/workflow"
)

func init() {
	c := &command{
		name:    "user",
		summary: "manage admin inbox users (user add | list | password | disable | enable)",
		usage: `Usage:
  aduan user add --username NAME --role ROLE [--password-file FILE]
  aduan user list
  aduan user password [--password-file FILE] NAME
  aduan user disable NAME
  aduan user enable NAME

Users sign in to the admin inbox (/admin). Roles: admin, verifikator,
koordinator, pimpinan, auditor (docs/roles.md says what each may do).
Without --password-file the password is asked for twice at the terminal, or
read from the first line of standard input when it is not a terminal.
Passwords are stored as argon2id hashes and need at least 10 characters.
Changing a password or disabling a user ends their sessions at once.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if len(args) == 0 {
			newFlags(c, stderr).Usage()
			return errUsage
		}
		sub := args[0]
		fs := newFlags(c, stderr)
		username := fs.String("username", "", "user name (add)")
		role := fs.String("role", "", "role: admin, verifikator, koordinator, pimpinan or auditor (add)")
		passwordFile := fs.String("password-file", "", "read the password from the first line of this file (add, password)")
		if sub == "--help" || sub == "-h" {
			fs.Usage()
			return nil
		}
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		switch sub {
		case "add", "list":
		case "disable", "enable", "password":
			if fs.NArg() != 1 {
				fs.Usage()
				return errUsage
			}
		default:
			fs.Usage()
			return errUsage
		}
		var hash string
		if sub == "add" || sub == "password" {
			if sub == "add" && (*username == "" || *role == "") {
				fs.Usage()
				return errUsage
			}
			if _, ok := workflow.ParseRole(*role); sub == "add" && !ok {
				return fmt.Errorf("%q is not a role (want admin, verifikator, koordinator, pimpinan or auditor)", *role)
			}
			password, err := readPassword(*passwordFile, stderr)
			if err != nil {
				return err
			}
			if hash, err = web.HashPassword(password); err != nil {
				return err
			}
		}
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		st, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		switch sub {
		case "add":
			if _, err := st.CreateUser(ctx, *username, hash, workflow.Role(*role)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "User %s (%s) added.\n", *username, *role)
		case "list":
			users, err := st.ListUsers(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERNAME\tROLE\tSTATE\tLAST SIGN-IN")
			for _, u := range users {
				state, last := "active", "never"
				if u.Disabled {
					state = "disabled"
				}
				if !u.LastLoginAt.IsZero() {
					last = wibTime(u.LastLoginAt)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, state, last)
			}
			return tw.Flush()
		case "password":
			if err := st.SetPassword(ctx, "system:cli", fs.Arg(0), hash); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Password of %s changed; their sessions ended.\n", fs.Arg(0))
		case "disable", "enable":
			if err := st.SetUserDisabled(ctx, "system:cli", fs.Arg(0), sub == "disable", false); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "User %s %sd.\n", fs.Arg(0), sub)
		}
		return nil
	}
	register(c)
}

// readPassword reads a new password from file, from the terminal (typed
// twice, not echoed) or from the first line of standard input.
func readPassword(file string, stderr io.Writer) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(stderr, "Repeat password: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords differ")
	}
	return string(first), nil
}
