package build

import "isomer.dev/isomer/internal/diag"

func diagWarning(path, msg string) diag.Diagnostic {
	return diag.Diagnostic{Path: path, Severity: diag.Warning, Message: msg}
}
