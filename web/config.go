package web

import "mari/config"

// Config is the app's configuration (package config), named here so that whoever assembles a
// server needs one import.
type Config = config.Config
