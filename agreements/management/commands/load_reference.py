from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.reference import ReferenceDataError, load_reference


class Command(BaseCommand):
    help = (
        "Load the reference dataset (CSV files) idempotently and atomically: a bad file loads "
        "nothing and every problem is reported as file:line: message."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Folder with the CSV files (default: AEO_REFERENCE_DIR, data/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or Path(settings.AEO_REFERENCE_DIR)
        try:
            report = load_reference(directory)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded from {directory}."))
