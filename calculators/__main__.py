"""Command line: ``python -m calculators budget|eligibility <call-id> <file.json | ->``.

Prints the output JSON on stdout (exit 0, whatever the findings). Invalid input, an unknown
call or unreadable files print one message on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from calculators.api import KINDS, decode_input, evaluate
from calculators.report import InputError

DEFAULT_CALLS = Path(__file__).resolve().parent.parent / "calls"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep one clean line
        self.print_usage(sys.stderr)
        print(f"erreur : {message}", file=sys.stderr)
        raise SystemExit(2)


def _reason(error: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in French (the system's own wording is English)."""
    if isinstance(error, UnicodeDecodeError):
        return "le fichier n'est pas en UTF-8 ; enregistrez-le en UTF-8"
    if isinstance(error, FileNotFoundError):
        return "fichier ou dossier introuvable"
    if isinstance(error, IsADirectoryError):
        return "c'est un dossier, pas un fichier"
    if isinstance(error, NotADirectoryError):
        return "ce n'est pas un dossier"
    if isinstance(error, PermissionError):
        return "accès refusé"
    return error.strerror or str(error)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m calculators", description="Simule un budget ou vérifie l'éligibilité pour un appel.")
    parser.add_argument("kind", choices=sorted(KINDS), help="budget ou eligibility")
    parser.add_argument("call", help="identifiant de l'appel, ex. cpam-flandres-2025")
    parser.add_argument("input", help="fichier JSON d'entrée, ou - pour l'entrée standard")
    parser.add_argument("--calls", type=Path, default=Path(os.environ.get("APPELS_CALLS_DIR", DEFAULT_CALLS)),
                        help="dossier des fichiers d'appels (par défaut : calls/)")
    args = parser.parse_args(argv)

    from callfiles.corpus import load_corpus  # CPython-only layer, imported lazily
    from callfiles.problems import CallFileError

    try:
        corpus = load_corpus(args.calls)
    except CallFileError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:  # --calls (or APPELS_CALLS_DIR) names no readable folder
        print(f"erreur : impossible de lire les appels dans {args.calls} : {_reason(error)}", file=sys.stderr)
        return 2
    call = corpus.calls.get(args.call)
    if call is None:
        known = ", ".join(sorted(corpus.calls)[:10])
        print(f"erreur : appel inconnu « {args.call[:80]} » (appels connus : {known}…)", file=sys.stderr)
        return 2
    try:
        text = sys.stdin.read() if args.input == "-" else Path(args.input).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"erreur : impossible de lire {args.input} : {_reason(error)}", file=sys.stderr)
        return 2
    try:
        result = evaluate(args.kind, call, corpus.vocabulary, decode_input(text))
    except InputError as error:
        print(f"erreur : {error}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
