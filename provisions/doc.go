// Package provisions will hold the GenieACS provision scripts
// (fyberpay-bootstrap, fyberpay-health, fyberpay-diagnostics) and the ext
// script ext/fyberpay.js, embedded and uploaded at start-up. They arrive with
// the GenieACS integration issue; docker-compose.yml already mounts ext/ into
// genieacs-cwmp.
package provisions
