"""Register files compared by the register-at-scale tests (unit and QGIS ring)."""
import sqlite3
import zipfile


def gpkg_rows(path):
    con = sqlite3.connect(path)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(register)")]
        return cols, con.execute("SELECT * FROM register ORDER BY fid").fetchall()
    finally:
        con.close()


def xlsx_parts(path):
    """The workbook's parts but its document properties (they hold the time of writing)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


COUNTS = ("N_CASES", "N_KEPT", "N_NEW", "N_GONE", "N_BUILDINGS", "N_SKIPPED", "N_DEMOLISH", "N_RECTIFY",
          "N_TEMP_EXPIRED", "N_VERIFY", "N_LEGACY")
