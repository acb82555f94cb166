// Command fyberpay is the FyberPay CPE service: the web server and River
// workers (serve), schema migrations (migrate) and the operator commands
// (org create, user create, apikey create, demo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/validation"
)

const usage = `usage: fyberpay <command> [flags]

commands:
  serve                 run the web server and/or River workers (--web, --worker, --migrate)
  migrate               apply database migrations (River's and ours)
  org create            --slug SLUG --name NAME
  user create           --org SLUG --email EMAIL --role ROLE   (password on stdin)
  apikey create         --org SLUG --name NAME [--role admin|technician|viewer]
                        (prints the key alone on the last line)
  demo                  ensure the demo organization and owner; print credentials
                        [--password P] [--sim-devices N --sim-seed S: the simulator's devices into its inventory]
  sim                   run the GenieACS simulator (--devices N --nbi-addr --fs-addr --fyberpay-url --internal-key --await-preset ...)
  sync                  one device sync pass now [--pass full|incremental] [--discard: only stream]

Every command reads DATABASE_URL; serve reads the rest of the configuration
from the environment (see README.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "fyberpay: "+oneLine(err))
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, env config.Lookup, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command"}
	}
	switch cmd := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "serve":
		return serve(ctx, env, args[1:], stderr)
	case args[0] == "migrate":
		return migrate(ctx, env, args[1:], stdout)
	case args[0] == "demo":
		return demo(ctx, env, args[1:], stdout)
	case args[0] == "sim":
		return sim(ctx, args[1:], stdout, stderr)
	case args[0] == "sync":
		return syncCmd(ctx, env, args[1:], stdout)
	case cmd == "org create":
		return orgCreate(ctx, env, args[2:], stdout)
	case cmd == "user create":
		return userCreate(ctx, env, args[2:], stdin, stdout)
	case cmd == "apikey create":
		return apikeyCreate(ctx, env, args[2:], stdout)
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{"unknown command " + cmd}
	}
}

// oneLine flattens an error to the single line operators see.
func oneLine(err error) string {
	var ve validation.Errors
	if errors.As(err, &ve) {
		return ve.Error()
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	for _, r := range required {
		if f := fs.Lookup(r); f == nil || strings.TrimSpace(f.Value.String()) == "" {
			return fmt.Errorf("%s: --%s is required", fs.Name(), r)
		}
	}
	return nil
}
