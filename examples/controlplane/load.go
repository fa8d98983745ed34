package main

import "errors"

func load(args []string) error       { return errors.New("load: not yet built") }
func querybench(args []string) error { return errors.New("querybench: not yet built") }
