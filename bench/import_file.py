"""A realistic association file of N touchpoint rows, for the import bench and the kill test.

One row per touchpoint, household columns repeated (as exported from a volunteer's Excel
list): UTF-8 with a BOM (DuckDB, the bench's reference, reads no Windows-1252), ``;``, French
dates. Deterministic for a seed.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HEADERS = ["N° dossier", "Famille", "Quartier", "Téléphone", "Connu par", "Prénom", "Nom",
           "Année de naissance", "Lien", "Date", "Type", "Activité"]  # fmt: skip
SURNAMES = ("Martin", "Bernard", "Dubois", "Lefèvre", "Œuvray", "Benali", "Nguyen", "Diallo",
            "Moreau", "Laurent", "Garnier", "Haddad", "Rousseau", "Mercier", "Faure")  # fmt: skip
FIRST = ("Amina", "Chloé", "Noël", "Inès", "Mamadou", "Zoé", "Karim", "Léa", "Hélène", "Yanis")
PLACES = ("Les Tilleuls", "Le Port", "Centre", "La Briqueterie", "Les Hauts-Champs")
CHANNELS = ("Porte-à-porte", "Centre social", "Internet", "Bouche à oreille", "CCAS")
ACTIVITIES = (
    "Café des parents", "Atelier cuisine", "Sortie famille", "Aide aux devoirs",
    "Groupe de parole", "Jardin partagé", "Couture", "Français langue étrangère",
)  # fmt: skip
KINDS = (("Présence", 0.8), ("Contact de proximité", 0.1), ("Demande d'information", 0.1))
END = date(2026, 6, 30)


def write_file(
    path: Path, rows: int, *, seed: int = 1, per_household: int = 20, encoding="utf-8-sig"
) -> Path:
    rng = random.Random(seed)
    households = max(1, rows // per_household)
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADERS)
        written = 0
        for h in range(households):
            n = per_household if h < households - 1 else rows - written
            surname = f"{SURNAMES[h % len(SURNAMES)]}-{h}"
            head = [f"D{h}", f"Famille {surname}", PLACES[h % len(PLACES)],
                    f"06 {h // 10000 % 100:02d} {h // 100 % 100:02d} {h % 100:02d} 1{h % 10}",
                    CHANNELS[h % len(CHANNELS)]]  # fmt: skip
            days = sorted(rng.sample(range(730), n))
            for i, d in enumerate(days):
                kind = rng.choices([k for k, _w in KINDS], [w for _k, w in KINDS])[0]
                person = ["", "", "", ""]
                if i < 2:
                    person = [FIRST[(h + i) % len(FIRST)], surname, str(1975 + (h + i * 30) % 45),
                              "parent" if i == 0 else "enfant"]  # fmt: skip
                day = (END - timedelta(days=d)).strftime("%d/%m/%Y")
                activity = rng.choice(ACTIVITIES) if kind == "Présence" else ""
                w.writerow(head + person + [day, kind, activity])
                written += 1
    return path
