"""Command line: ``python -m callfiles [calls/] [--format texte|github|gitlab] [--sortie FICHIER]``.

Validates the call files exactly as the build does (:func:`callfiles.corpus.load_corpus`) and
prints every problem: the build's lines (``texte``), GitHub annotations (``github``) or a GitLab
Code Quality report (``gitlab``). Exit 0 when every file is valid, 1 when there are problems,
2 when the folder cannot be read or the arguments are wrong. A count goes to stderr, so that
stdout holds only the report.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from callfiles.corpus import call_files, load_corpus
from callfiles.problems import CallFileError, Problem
from callfiles.reports import FORMATS, WRITERS, texte

DEFAULT_CALLS = Path(__file__).resolve().parent.parent / "calls"


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


# argparse's own messages that this command can produce, in French.
_ARGPARSE_FRENCH = (("unrecognized arguments:", "arguments inconnus :"), ("expected one argument", "attend une valeur"))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep one clean French line
        for english, french in _ARGPARSE_FRENCH:
            message = message.replace(english, french)
        self.print_usage(sys.stderr)
        print(f"erreur : {message}", file=sys.stderr)
        raise SystemExit(2)


def _format(value: str) -> str:
    if value not in FORMATS:
        raise argparse.ArgumentTypeError(f"format inconnu '{value}' ; formats possibles : {', '.join(FORMATS)}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m callfiles", formatter_class=_Formatter, add_help=False,
        description="Vérifie les fichiers d'appel comme la construction du site et affiche chaque problème "
                    "avec son fichier, sa ligne et sa colonne.",
        epilog="Code de sortie : 0 si tous les fichiers sont valides, 1 s'il y a des problèmes, "
               "2 si le dossier est illisible.")
    # The help in French, headings included (argparse writes them in English).
    parser._positionals.title = "argument"
    parser._optionals.title = "options"
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et s'arrête")
    parser.add_argument("racine", nargs="?", type=Path, default=DEFAULT_CALLS,
                        help="dossier des fichiers d'appel (par défaut : calls/ du projet)")
    parser.add_argument("--format", type=_format, default="texte", dest="format_", metavar="{" + ",".join(FORMATS) + "}",
                        help="texte : les lignes de la construction (par défaut) ; github : annotations "
                             "::error de GitHub Actions ; gitlab : rapport Code Quality de GitLab (JSON)")
    parser.add_argument("--sortie", type=Path, metavar="FICHIER",
                        help="écrit le rapport dans FICHIER (même sans problème) et affiche en plus "
                             "les problèmes en texte")
    return parser


def _problems(root: Path) -> tuple[list[Problem], int]:
    """Every problem of the corpus at ``root``, and how many call files it holds."""
    count = len(call_files(root))
    try:
        load_corpus(root)
    except CallFileError as error:
        return error.problems, count
    return [], count


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root: Path = args.racine
    if not root.is_dir():
        print(f"erreur : {root} n'est pas un dossier de fichiers d'appel (dossier introuvable)", file=sys.stderr)
        return 2
    try:
        problems, count = _problems(root)
    except OSError as error:
        print(f"erreur : impossible de lire {root} : {error.strerror or error}", file=sys.stderr)
        return 2
    report = WRITERS[args.format_](problems)
    if args.sortie is not None:
        try:
            args.sortie.write_text(report, encoding="utf-8")
        except OSError as error:
            print(f"erreur : impossible d'écrire {args.sortie} : {error.strerror or error}", file=sys.stderr)
            return 2
        sys.stdout.write(texte(problems))
    else:
        sys.stdout.write(report)
    plural = "s" if count > 1 else ""
    checked = f"{count} fichier{plural} d'appel vérifié{plural}"
    if problems:
        many = "s" if len(problems) > 1 else ""
        print(f"{len(problems)} problème{many} à corriger avant publication ({checked}).", file=sys.stderr)
        return 1
    print(f"Aucun problème : {checked}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
