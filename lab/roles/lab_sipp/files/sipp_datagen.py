#!/usr/bin/env python3
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab SIPP database generator: prints the schema and realistic, deterministic data as
SQL (multi-row INSERTs) for ``python3 sipp_datagen.py ... | mariadb sipp``.

Stdlib only, Python 3.9+. Sizes: see the lab_sipp README (about 5 kB per case).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
from typing import TextIO

SCHEMA_VERSION = 1

SCHEMA = """
SET NAMES utf8mb4;
SET foreign_key_checks = 0;
DROP TABLE IF EXISTS perkara, perkara_jadwal_sidang, perkara_putusan, perkara_pihak1,
  perkara_pihak2, pihak, perkara_penetapan, sys_users, sys_groups, sys_user_group,
  sys_user_online, sys_audittrail, sys_config;
CREATE TABLE perkara (
  perkara_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  alur_perkara_id SMALLINT UNSIGNED NOT NULL,
  nomor_urut_perkara INT UNSIGNED NOT NULL,
  nomor_perkara VARCHAR(100) NOT NULL,
  tanggal_pendaftaran DATE NOT NULL,
  jenis_perkara_id INT UNSIGNED NOT NULL,
  jenis_perkara_kode VARCHAR(20) NOT NULL,
  jenis_perkara_nama VARCHAR(255) NOT NULL,
  para_pihak TEXT,
  pihak1_text TEXT,
  pihak2_text TEXT,
  pokok_perkara LONGTEXT,
  petitum LONGTEXT,
  nilai_sengketa DECIMAL(20,2) DEFAULT NULL,
  status VARCHAR(50) NOT NULL,
  proses_terakhir_text VARCHAR(255) DEFAULT NULL,
  diinput_oleh VARCHAR(50) DEFAULT NULL,
  diinput_tanggal DATETIME DEFAULT NULL,
  diperbaharui_oleh VARCHAR(50) DEFAULT NULL,
  diperbaharui_tanggal DATETIME DEFAULT NULL,
  PRIMARY KEY (perkara_id),
  UNIQUE KEY uk_nomor_perkara (nomor_perkara),
  KEY idx_tanggal_pendaftaran (tanggal_pendaftaran),
  KEY idx_jenis_perkara (jenis_perkara_id),
  KEY idx_status (status),
  KEY idx_diperbaharui (diperbaharui_tanggal)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE perkara_jadwal_sidang (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  perkara_id INT UNSIGNED NOT NULL,
  urutan SMALLINT UNSIGNED NOT NULL,
  tanggal_sidang DATE NOT NULL,
  jam_sidang TIME DEFAULT NULL,
  sampai_jam TIME DEFAULT NULL,
  agenda TEXT,
  ruangan VARCHAR(100) DEFAULT NULL,
  sidang_keliling CHAR(1) NOT NULL DEFAULT 'T',
  ditunda CHAR(1) NOT NULL DEFAULT 'T',
  alasan_ditunda TEXT,
  diinput_oleh VARCHAR(50) DEFAULT NULL,
  diinput_tanggal DATETIME DEFAULT NULL,
  PRIMARY KEY (id),
  KEY idx_perkara (perkara_id),
  KEY idx_tanggal_sidang (tanggal_sidang)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE perkara_putusan (
  perkara_id INT UNSIGNED NOT NULL,
  tanggal_putusan DATE NOT NULL,
  status_putusan_id SMALLINT UNSIGNED NOT NULL,
  status_putusan_nama VARCHAR(100) NOT NULL,
  amar_putusan LONGTEXT,
  sumber_hukum TEXT,
  tanggal_minutasi DATE DEFAULT NULL,
  tanggal_bht DATE DEFAULT NULL,
  diinput_oleh VARCHAR(50) DEFAULT NULL,
  diinput_tanggal DATETIME DEFAULT NULL,
  PRIMARY KEY (perkara_id),
  KEY idx_tanggal_putusan (tanggal_putusan)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE pihak (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  jenis_pihak_id TINYINT UNSIGNED NOT NULL,
  nama VARCHAR(255) NOT NULL,
  tempat_lahir VARCHAR(100) DEFAULT NULL,
  tanggal_lahir DATE DEFAULT NULL,
  jenis_kelamin CHAR(1) DEFAULT NULL,
  agama_nama VARCHAR(30) DEFAULT NULL,
  pekerjaan VARCHAR(100) DEFAULT NULL,
  pendidikan VARCHAR(50) DEFAULT NULL,
  alamat TEXT,
  nomor_indentitas VARCHAR(30) DEFAULT NULL,
  telepon VARCHAR(30) DEFAULT NULL,
  diinput_tanggal DATETIME DEFAULT NULL,
  PRIMARY KEY (id),
  KEY idx_nama (nama)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE perkara_pihak1 (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  perkara_id INT UNSIGNED NOT NULL,
  pihak_id INT UNSIGNED NOT NULL,
  urutan TINYINT UNSIGNED NOT NULL,
  nama VARCHAR(255) NOT NULL,
  alamat TEXT,
  PRIMARY KEY (id),
  KEY idx_perkara (perkara_id),
  KEY idx_pihak (pihak_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE perkara_pihak2 LIKE perkara_pihak1;
CREATE TABLE perkara_penetapan (
  perkara_id INT UNSIGNED NOT NULL,
  penetapan_majelis_hakim DATE DEFAULT NULL,
  majelis_hakim_nama TEXT,
  panitera_pengganti_text VARCHAR(255) DEFAULT NULL,
  jurusita_text VARCHAR(255) DEFAULT NULL,
  penetapan_hari_sidang DATE DEFAULT NULL,
  sidang_pertama DATE DEFAULT NULL,
  diinput_tanggal DATETIME DEFAULT NULL,
  PRIMARY KEY (perkara_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE sys_groups (
  groupid INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(100) NOT NULL,
  description VARCHAR(255) DEFAULT NULL,
  PRIMARY KEY (groupid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE sys_users (
  userid INT UNSIGNED NOT NULL AUTO_INCREMENT,
  username VARCHAR(50) NOT NULL,
  password VARCHAR(255) NOT NULL,
  fullname VARCHAR(255) NOT NULL,
  email VARCHAR(100) DEFAULT NULL,
  block TINYINT(1) NOT NULL DEFAULT 0,
  last_login DATETIME DEFAULT NULL,
  created_at DATETIME DEFAULT NULL,
  PRIMARY KEY (userid),
  UNIQUE KEY uk_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE sys_user_group (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  userid INT UNSIGNED NOT NULL,
  groupid INT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  KEY idx_user (userid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE sys_user_online (
  session_id VARCHAR(128) NOT NULL,
  userid INT UNSIGNED NOT NULL,
  host_address VARCHAR(45) DEFAULT NULL,
  login_time DATETIME NOT NULL,
  last_visit DATETIME NOT NULL,
  user_agent VARCHAR(255) DEFAULT NULL,
  PRIMARY KEY (session_id),
  KEY idx_last_visit (last_visit)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE sys_audittrail (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  datetime DATETIME NOT NULL,
  ipaddress VARCHAR(45) DEFAULT NULL,
  username VARCHAR(50) DEFAULT NULL,
  tablename VARCHAR(100) DEFAULT NULL,
  formname VARCHAR(100) DEFAULT NULL,
  action VARCHAR(50) DEFAULT NULL,
  title VARCHAR(255) DEFAULT NULL,
  description TEXT,
  PRIMARY KEY (id),
  KEY idx_datetime (datetime),
  KEY idx_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE sys_config (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  category VARCHAR(50) NOT NULL,
  name VARCHAR(100) NOT NULL,
  value TEXT,
  PRIMARY KEY (id),
  UNIQUE KEY uk_category_name (category, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""

MALE = [
    "Budi",
    "Slamet",
    "Agus",
    "Joko",
    "Bambang",
    "Dedi",
    "Hendra",
    "Rudi",
    "Andi",
    "Eko",
    "Wahyu",
    "Yusuf",
    "Ahmad",
    "Muhammad",
    "Rizki",
    "Fajar",
    "Hadi",
    "Sutrisno",
    "Suparman",
    "Darmawan",
    "Irwan",
    "Teguh",
    "Arif",
    "Bayu",
    "Dimas",
    "Gilang",
    "Imam",
    "Iwan",
    "Ridwan",
    "Syahrul",
    "Taufik",
    "Yoga",
    "Zainal",
    "Ma'ruf",
    "Heru",
    "Sugeng",
    "Paijo",
    "Rahmat",
    "Samsul",
    "Hasan",
    "Umar",
    "Firman",
    "Doni",
    "Reza",
]
FEMALE = [
    "Siti",
    "Sri",
    "Dewi",
    "Rina",
    "Wati",
    "Yuni",
    "Ani",
    "Fitri",
    "Lestari",
    "Nurhayati",
    "Indah",
    "Putri",
    "Ratna",
    "Sari",
    "Wulan",
    "Ayu",
    "Dian",
    "Endang",
    "Kartini",
    "Rahmawati",
    "Maya",
    "Nia",
    "Rosmawati",
    "Sulastri",
    "Tuti",
    "Yanti",
]
FAMILY = [
    "Santoso",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Gunawan",
    "Setiawan",
    "Kurniawan",
    "Susanto",
    "Pratama",
    "Nugroho",
    "Siregar",
    "Harahap",
    "Nasution",
    "Simanjuntak",
    "Lubis",
    "Hasibuan",
    "Sihombing",
    "Rahman",
    "Hakim",
    "Syahputra",
    "Utomo",
    "Purnomo",
    "Halim",
    "Wibowo",
    "Manurung",
    "Tanjung",
    "Putra",
    "Firmansyah",
    "Sembiring",
    "Ginting",
    "Panjaitan",
    "Suryadi",
    "Hutapea",
    "Effendi",
    "Prasetyo",
]
STREETS = [
    "Merdeka",
    "Sudirman",
    "Diponegoro",
    "Ahmad_Yani",
    "Gatot_Subroto",
    "Pahlawan",
    "Imam_Bonjol",
    "Hang_Tuah",
    "Gajah_Mada",
    "Hayam_Wuruk",
    "Veteran",
    "Pemuda",
    "Kartini",
    "Cut_Nyak_Dien",
    "Teuku_Umar",
    "Sisingamangaraja",
    "Pattimura",
    "Sultan_Syarif_Kasim",
    "Antara",
    "Bhayangkara",
    "Kenanga",
    "Melati",
    "Mawar",
    "Cempaka",
    "Pramuka",
    "Pelajar",
    "Datuk_Laksamana",
    "Lintas_Timur",
]
KELURAHAN = [
    "Sukamaju",
    "Sukajadi",
    "Tanjung_Harapan",
    "Air_Putih",
    "Damon",
    "Rimba_Sekampung",
    "Kota_Baru",
    "Sidomulyo",
    "Wonorejo",
    "Kebun_Sari",
    "Pangkalan_Batang",
    "Senggoro",
    "Kampung_Baru",
    "Talang_Mandi",
    "Pematang_Duku",
    "Bantan_Air",
    "Teluk_Latak",
    "Jangkang",
    "Muntai",
    "Sungai_Alam",
]
KECAMATAN = [
    "Bengkalis",
    "Bantan",
    "Bukit_Batu",
    "Mandau",
    "Rupat",
    "Siak_Kecil",
    "Pinggir",
    "Bangil",
    "Beji",
    "Pandaan",
    "Gempol",
    "Rembang",
    "Kraton",
]
KABUPATEN = [
    "Bengkalis",
    "Pasuruan",
    "Siak",
    "Dumai",
    "Kampar",
    "Rokan_Hilir",
    "Indragiri_Hilir",
    "Kepulauan_Meranti",
]
CITIES = [
    "Bengkalis",
    "Pekanbaru",
    "Dumai",
    "Medan",
    "Padang",
    "Pasuruan",
    "Surabaya",
    "Malang",
    "Jakarta",
    "Bandung",
    "Semarang",
    "Palembang",
    "Jambi",
    "Tanjung_Pinang",
    "Siak_Sri_Indrapura",
]
JOBS = [
    "Wiraswasta",
    "Petani",
    "Nelayan",
    "Buruh Harian Lepas",
    "Karyawan Swasta",
    "Pegawai Negeri Sipil",
    "Pedagang",
    "Ibu Rumah Tangga",
    "Pelajar/Mahasiswa",
    "Sopir",
    "Tidak Bekerja",
    "Guru",
    "Tukang Bangunan",
    "Wiraswasta (Bengkel)",
]
EDUCATION = ["SD", "SMP", "SMA/SMK", "D3", "S1", "S2", "Tidak Sekolah"]
RELIGION = ["Islam", "Islam", "Islam", "Islam", "Kristen", "Katolik", "Hindu", "Buddha", "Konghucu"]
COMPANIES = [
    "PT Sinar Riau Lestari",
    "CV Karya Mandiri",
    "PT Bank Rakyat Indonesia (Persero) Tbk",
    "Koperasi Simpan Pinjam Sejahtera",
    "PT Indah Kiat Pulp & Paper",
    "CV Bintang Timur",
    "PT Perkebunan Nusantara V",
    "Yayasan Pendidikan Harapan Bangsa",
]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]

# (alur, kode, nama, weight, pidana?)
CASE_TYPES = (
    (1, "Pid.B", "Pencurian", 20, True),
    (1, "Pid.B", "Penggelapan", 7, True),
    (1, "Pid.B", "Penipuan", 7, True),
    (1, "Pid.B", "Penganiayaan", 8, True),
    (1, "Pid.B", "Perjudian", 4, True),
    (1, "Pid.B", "Pengrusakan", 2, True),
    (2, "Pid.Sus", "Narkotika", 22, True),
    (2, "Pid.Sus", "Perlindungan Anak", 4, True),
    (2, "Pid.Sus", "Kehutanan", 1, True),
    (3, "Pid.Sus-Anak", "Pencurian (Anak)", 2, True),
    (4, "Pid.C", "Tindak Pidana Ringan", 3, True),
    (5, "Pdt.G", "Wanprestasi", 5, False),
    (5, "Pdt.G", "Perbuatan Melawan Hukum", 5, False),
    (5, "Pdt.G", "Perceraian", 3, False),
    (5, "Pdt.G", "Sengketa Tanah", 2, False),
    (6, "Pdt.G.S", "Gugatan Sederhana (Wanprestasi)", 1, False),
    (7, "Pdt.P", "Permohonan Perubahan Nama", 2, False),
    (7, "Pdt.P", "Permohonan Perwalian", 1, False),
    (7, "Pdt.P", "Permohonan Pengangkatan Anak", 1, False),
)
ACTS = {
    "Pencurian": (
        "mengambil barang sesuatu berupa 1 (satu) unit sepeda motor Honda Beat warna hitam",
        "mengambil 1 (satu) unit handphone merk Samsung",
        "mengambil uang tunai sebesar Rp{uang} milik saksi korban",
        "mengambil 5 (lima) tandan buah sawit dari kebun milik saksi korban",
    ),
    "Penggelapan": (
        "menguasai uang setoran perusahaan sebesar Rp{uang}",
        "menggadaikan 1 (satu) unit mobil rental tanpa seizin pemiliknya",
    ),
    "Penipuan": (
        "menjanjikan dapat meluluskan saksi korban menjadi pegawai dengan imbalan Rp{uang}",
        "menawarkan tanah yang bukan miliknya dan menerima uang muka Rp{uang}",
    ),
    "Penganiayaan": (
        "memukul saksi korban dengan tangan kosong sebanyak {n} kali mengenai wajah",
        "menikam saksi korban dengan sebilah pisau sehingga mengalami luka robek",
    ),
    "Narkotika": (
        "tanpa hak atau melawan hukum memiliki, menyimpan, menguasai narkotika golongan "
        "I bukan tanaman jenis sabu seberat {gram} gram",
        "menjadi perantara dalam jual beli narkotika golongan I jenis sabu seberat {gram} gram",
    ),
}
PASAL = {
    "Pencurian": "Pasal 362 KUHP",
    "Penggelapan": "Pasal 372 KUHP",
    "Penipuan": "Pasal 378 KUHP",
    "Penganiayaan": "Pasal 351 ayat (1) KUHP",
    "Perjudian": "Pasal 303 ayat (1) ke-2 KUHP",
    "Pengrusakan": "Pasal 406 KUHP",
    "Narkotika": "Pasal 114 ayat (1) jo. Pasal 112 ayat (1) UU RI No. 35 Tahun 2009",
    "Perlindungan Anak": "Pasal 81 ayat (2) UU RI No. 35 Tahun 2014",
    "Kehutanan": "Pasal 82 ayat (1) huruf b UU RI No. 18 Tahun 2013",
}
FILLER = (
    "bahwa perbuatan tersebut dilakukan dengan sengaja dan disadari sepenuhnya oleh terdakwa",
    "bahwa akibat perbuatan terdakwa saksi korban mengalami kerugian sebesar Rp{uang}",
    "bahwa barang bukti telah disita secara sah oleh penyidik Kepolisian Resor {kab}",
    "bahwa terdakwa ditangkap oleh petugas kepolisian di {alamat}",
    "bahwa berdasarkan hasil pemeriksaan laboratorium forensik barang bukti tersebut positif",
    "bahwa saksi {saksi} melihat langsung kejadian tersebut dan segera melaporkannya",
    "bahwa terdakwa tidak memiliki izin dari pihak yang berwenang",
    "bahwa perbuatan terdakwa dilakukan pada malam hari di sebuah rumah kediaman",
)
PERDATA = (
    "bahwa Penggugat dan Tergugat telah membuat perjanjian tertanggal {tgl} tentang {obyek}",
    "bahwa Tergugat tidak memenuhi kewajibannya sebagaimana diperjanjikan sehingga Penggugat "
    "menderita kerugian materiil sebesar Rp{uang}",
    "bahwa Penggugat telah berulang kali menegur Tergugat secara patut namun tidak diindahkan",
    "bahwa obyek sengketa berupa sebidang tanah seluas {luas} m2 terletak di {alamat}",
    "bahwa perbuatan Tergugat merupakan perbuatan melawan hukum sebagaimana Pasal 1365 KUHPerdata",
    "bahwa untuk menjamin gugatan ini Penggugat mohon diletakkan sita jaminan atas harta Tergugat",
    "bahwa Pemohon mengajukan permohonan ini untuk keperluan administrasi kependudukan",
)
OBYEK = (
    "jual beli kendaraan bermotor",
    "pinjam meminjam uang",
    "sewa menyewa ruko",
    "jual beli sebidang tanah",
    "kerja sama usaha perkebunan kelapa sawit",
    "pembangunan rumah tinggal",
)
AGENDA = (
    "Pembacaan Surat Dakwaan",
    "Pemeriksaan Saksi-saksi",
    "Pemeriksaan Terdakwa",
    "Pembacaan Tuntutan",
    "Pembelaan (Pledoi)",
    "Replik",
    "Duplik",
    "Musyawarah Majelis",
    "Pembacaan Putusan",
    "Mediasi",
    "Pembacaan Gugatan",
    "Jawaban Tergugat",
    "Pembuktian Penggugat",
    "Kesimpulan",
    "Pemeriksaan Setempat",
)
TUNDA = (
    "Saksi tidak hadir",
    "Terdakwa sakit",
    "Penuntut Umum belum siap dengan tuntutan",
    "Majelis Hakim berhalangan",
    "Tergugat tidak hadir meskipun telah dipanggil patut",
)
HAKIM = (
    "Dr. H. Ahmad Rifai, S.H., M.H.",
    "Sri Wahyuni, S.H., M.H.",
    "Bonar Sihombing, S.H.",
    "Ratna Dewi, S.H., M.Hum.",
    "Yudi Prasetyo, S.H.",
    "Dedy Irawan, S.H., M.H.",
    "Nur Aini, S.H.",
)
PANITERA = ("Hendra Gunawan, S.H.", "Rosmawati, S.H.", "Syafrizal, S.H.", "Lina Marlina, S.H.")
JURUSITA = ("Zulkifli", "Ahmad Yani", "Sri Mulyani", "Darwis")
RUANG = ("Ruang Sidang Cakra", "Ruang Sidang Kartika", "Ruang Sidang Anak", "Ruang Sidang Utama")
STATUS_PUTUSAN = (
    (1, "Dikabulkan"),
    (2, "Ditolak"),
    (3, "Tidak Dapat Diterima"),
    (4, "Dicabut"),
    (5, "Pidana Penjara"),
    (6, "Pidana Bersyarat"),
    (7, "Lepas"),
    (8, "Bebas"),
)
GROUPS = (
    ("Administrator", "Administrator SIPP"),
    ("Ketua", "Ketua Pengadilan"),
    ("Hakim", "Hakim"),
    ("Panitera", "Panitera"),
    ("Panitera Pengganti", "Panitera Pengganti"),
    ("Jurusita", "Jurusita/Jurusita Pengganti"),
    ("Meja 1", "Petugas Meja 1 / PTSP"),
    ("Kepaniteraan Pidana", "Staf Kepaniteraan Pidana"),
    ("Kepaniteraan Perdata", "Staf Kepaniteraan Perdata"),
    ("Kepaniteraan Hukum", "Staf Kepaniteraan Hukum"),
)
FORMS = (
    ("perkara", "frmPendaftaranPerkara"),
    ("perkara_jadwal_sidang", "frmJadwalSidang"),
    ("perkara_putusan", "frmPutusan"),
    ("perkara_penetapan", "frmPenetapanMajelis"),
    ("pihak", "frmDataPihak"),
    ("perkara_pihak1", "frmPihakPertama"),
    ("perkara_pihak2", "frmPihakKedua"),
)
ACTIONS = (
    ("view", 34),
    ("update", 20),
    ("insert", 15),
    ("login", 10),
    ("logout", 8),
    ("print", 6),
    ("login_failed", 2),
    ("delete", 1),
)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/119.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/118.0 Safari/537.36",
)
LAB_PASSWORD = "sipp2025"  # noqa: S105


def esc(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ts(value: dt.datetime) -> str:
    return value.strftime("'%Y-%m-%d %H:%M:%S'")


def ds(value: dt.date) -> str:
    return value.strftime("'%Y-%m-%d'")


class Batch:
    """Multi-row INSERTs of about ``limit`` bytes each."""

    def __init__(self, out: TextIO, table: str, columns: str, limit: int = 1 << 20) -> None:
        self.out = out
        self.head = f"INSERT INTO {table} ({columns}) VALUES\n"
        self.rows: list[str] = []
        self.size = 0
        self.limit = limit
        self.count = 0

    def add(self, row: str) -> None:
        self.rows.append(row)
        self.size += len(row)
        self.count += 1
        if self.size >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.out.write(self.head + ",\n".join(self.rows) + ";\nCOMMIT;\n")
            self.rows = []
            self.size = 0


class Generator:
    """All generated content comes from one seeded Random: same seed, same data."""

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.rng = random.Random(args.seed)  # noqa: S311
        self.now = args.now
        self.pihak_id = 0
        self.jadwal_id = 0
        self.link_id = {"perkara_pihak1": 0, "perkara_pihak2": 0}
        weights = [t[3] for t in CASE_TYPES]
        self.type_cum = self._cumulative(weights)
        self.usernames: list[str] = []

    @staticmethod
    def _cumulative(weights: list[int]) -> list[int]:
        total, cum = 0, []
        for w in weights:
            total += w
            cum.append(total)
        return cum

    # --- text -------------------------------------------------------------------------
    def person(self) -> tuple[str, str]:
        r = self.rng
        if r.random() < 0.7:
            first, sex, link = r.choice(MALE), "L", "bin"
        else:
            first, sex, link = r.choice(FEMALE), "P", "binti"
        name = f"{first} {r.choice(FAMILY)}" if r.random() < 0.75 else first
        if r.random() < 0.6:
            name = f"{name} {link} {r.choice(MALE)}"
        return name, sex

    def address(self) -> str:
        r = self.rng
        return (
            f"Jl. {r.choice(STREETS).replace('_', ' ')} No. {r.randint(1, 250)}, "
            f"RT {r.randint(1, 15):03d}/RW {r.randint(1, 9):03d}, "
            f"Kel. {r.choice(KELURAHAN).replace('_', ' ')}, "
            f"Kec. {r.choice(KECAMATAN).replace('_', ' ')}, "
            f"Kab. {r.choice(KABUPATEN).replace('_', ' ')}"
        )

    def money(self) -> str:
        return f"{self.rng.randint(1, 950) * 100000:,}".replace(",", ".")

    def fill(self, template: str, when: dt.date) -> str:
        """The template with its fields drawn, first letter upper case."""
        r = self.rng
        text = template.format(
            uang=self.money(),
            n=r.randint(2, 6),
            gram=f"{r.randint(1, 250) / 10:.2f}",
            kab=r.choice(KABUPATEN).replace("_", " "),
            alamat=self.address(),
            saksi=self.person()[0],
            tgl=f"{when.day} {MONTHS[when.month - 1]} {when.year}",
            obyek=r.choice(OBYEK),
            luas=r.randint(80, 20000),
        )
        return text[:1].upper() + text[1:]

    def pokok_pidana(self, nama: str, jenis: str, when: dt.date) -> str:
        r = self.rng
        act = r.choice(ACTS.get(jenis, ("melakukan tindak pidana " + jenis.lower(),)))
        jam = f"{r.randint(0, 23):02d}.{r.randint(0, 59):02d}"
        head = (
            f"Bahwa terdakwa {nama} pada hari {DAYS[when.weekday()]} tanggal {when.day} "
            f"{MONTHS[when.month - 1]} {when.year} sekitar pukul {jam} WIB atau "
            f"setidak-tidaknya pada suatu waktu dalam bulan {MONTHS[when.month - 1]} tahun "
            f"{when.year}, bertempat di {self.address()} atau setidak-tidaknya di suatu "
            f"tempat yang masih termasuk dalam daerah hukum {self.args.court_name}, telah "
            f"{self.fill(act, when)}."
        )
        body = " ".join(self.fill(r.choice(FILLER), when) + ";" for _ in range(r.randint(4, 12)))
        tail = (
            f" Perbuatan terdakwa sebagaimana diatur dan diancam pidana dalam "
            f"{PASAL.get(jenis, 'Pasal 362 KUHP')}."
        )
        return head + " " + body + tail

    def pokok_perdata(self, when: dt.date) -> str:
        r = self.rng
        return " ".join(
            f"{i}. " + self.fill(r.choice(PERDATA), when) + ";" for i in range(1, r.randint(5, 14))
        )

    # --- tables -----------------------------------------------------------------------
    def new_pihak(self, batch: Batch, when: dt.datetime, company: bool) -> tuple[int, str, str]:
        r = self.rng
        self.pihak_id += 1
        addr = self.address()
        if company:
            name = r.choice(COMPANIES)
            row = (
                f"({self.pihak_id},2,{esc(name)},NULL,NULL,NULL,NULL,NULL,NULL,{esc(addr)},"
                f"NULL,'0766-{r.randint(20000, 29999)}',{ts(when)})"
            )
        else:
            name, sex = self.person()
            born = dt.date(r.randint(1950, 2006), r.randint(1, 12), r.randint(1, 28))
            nik = f"14{r.randint(10, 99)}{r.randint(10**11, 10**12 - 1)}"
            row = (
                f"({self.pihak_id},1,{esc(name)},"
                f"'{r.choice(CITIES).replace('_', ' ')}',{ds(born)},'{sex}',"
                f"'{r.choice(RELIGION)}',{esc(r.choice(JOBS))},'{r.choice(EDUCATION)}',"
                f"{esc(addr)},'{nik}','08{r.randint(11, 99)}{r.randint(10**7, 10**8 - 1)}',"
                f"{ts(when)})"
            )
        batch.add(row)
        return self.pihak_id, name, addr

    def link(
        self, batch: Batch, table: str, perkara_id: int, pihak: tuple[int, str, str], urutan: int
    ) -> None:
        self.link_id[table] += 1
        batch.add(
            f"({self.link_id[table]},{perkara_id},{pihak[0]},{urutan},{esc(pihak[1])},"
            f"{esc(pihak[2])})"
        )

    def cases(self) -> None:
        args, r, out = self.args, self.rng, self.out
        b_perkara = Batch(
            out,
            "perkara",
            "perkara_id,alur_perkara_id,nomor_urut_perkara,"
            "nomor_perkara,tanggal_pendaftaran,jenis_perkara_id,jenis_perkara_kode,"
            "jenis_perkara_nama,para_pihak,pihak1_text,pihak2_text,pokok_perkara,"
            "petitum,nilai_sengketa,status,proses_terakhir_text,diinput_oleh,"
            "diinput_tanggal,diperbaharui_oleh,diperbaharui_tanggal",
        )
        b_pihak = Batch(
            out,
            "pihak",
            "id,jenis_pihak_id,nama,tempat_lahir,tanggal_lahir,"
            "jenis_kelamin,agama_nama,pekerjaan,pendidikan,alamat,nomor_indentitas,"
            "telepon,diinput_tanggal",
        )
        links = {
            t: Batch(out, t, "id,perkara_id,pihak_id,urutan,nama,alamat")
            for t in ("perkara_pihak1", "perkara_pihak2")
        }
        b_jadwal = Batch(
            out,
            "perkara_jadwal_sidang",
            "id,perkara_id,urutan,tanggal_sidang,"
            "jam_sidang,sampai_jam,agenda,ruangan,sidang_keliling,ditunda,"
            "alasan_ditunda,diinput_oleh,diinput_tanggal",
        )
        b_putusan = Batch(
            out,
            "perkara_putusan",
            "perkara_id,tanggal_putusan,status_putusan_id,"
            "status_putusan_nama,amar_putusan,sumber_hukum,tanggal_minutasi,"
            "tanggal_bht,diinput_oleh,diinput_tanggal",
        )
        b_penetapan = Batch(
            out,
            "perkara_penetapan",
            "perkara_id,penetapan_majelis_hakim,"
            "majelis_hakim_nama,panitera_pengganti_text,jurusita_text,"
            "penetapan_hari_sidang,sidang_pertama,diinput_tanggal",
        )
        span_days = args.years * 365
        start = self.now - dt.timedelta(days=span_days)
        # registration dates ascending, like a real register
        offsets = sorted(r.random() for _ in range(args.cases))
        counters: dict[tuple[str, int], int] = {}
        total = self.type_cum[-1]
        staff = self.usernames or ["admin"]
        for index, frac in enumerate(offsets, start=1):
            reg = start + dt.timedelta(seconds=int(frac * span_days * 86400))
            reg = reg.replace(hour=r.randint(8, 15), minute=r.randint(0, 59))
            pick = r.randint(1, total)
            kind = next(i for i, c in enumerate(self.type_cum) if c >= pick)
            alur, kode, nama_jenis, _, pidana = CASE_TYPES[kind]
            key = (kode, reg.year)
            counters[key] = counters.get(key, 0) + 1
            nomor = f"{counters[key]}/{kode}/{reg.year}/{args.court_code}"
            age = (self.now - reg).days
            p1 = [
                self.new_pihak(b_pihak, reg, company=not pidana and r.random() < 0.25)
                for _ in range(1 if pidana or r.random() < 0.7 else 2)
            ]
            if kode == "Pdt.P":
                p2: list[tuple[int, str, str]] = []
            else:
                p2 = [
                    self.new_pihak(b_pihak, reg, company=not pidana and r.random() < 0.3)
                    for _ in range(1 if r.random() < 0.8 else r.randint(2, 3))
                ]
            for i, p in enumerate(p1, 1):
                self.link(links["perkara_pihak1"], "perkara_pihak1", index, p, i)
            for i, p in enumerate(p2, 1):
                self.link(links["perkara_pihak2"], "perkara_pihak2", index, p, i)
            if pidana:
                p1_text = "Penuntut Umum: " + r.choice(PANITERA).replace(", S.H.", ", S.H., M.H.")
                p2_text = ", ".join(p[1] for p in p2)
                para = f"Penuntut Umum melawan Terdakwa {p2_text}"
                pokok = self.pokok_pidana(p2[0][1] if p2 else "-", nama_jenis, reg.date())
                petitum, nilai = "NULL", "NULL"
            else:
                p1_text = ", ".join(p[1] for p in p1)
                p2_text = ", ".join(p[1] for p in p2)
                para = f"{p1_text} melawan {p2_text}" if p2 else p1_text
                pokok = self.pokok_perdata(reg.date())
                petitum = esc(
                    " ".join(
                        f"{i}. " + self.fill(r.choice(PERDATA), reg.date())
                        for i in range(1, r.randint(3, 7))
                    )
                )
                nilai = str(r.randint(1, 5000) * 1000000)
            decided = age > r.randint(40, 180)
            status = (
                ("Minutasi" if decided and age > 200 else "Putusan")
                if decided
                else ("Persidangan" if age > 10 else "Pendaftaran")
            )
            who = r.choice(staff)
            updated = min(
                self.now,
                reg + dt.timedelta(days=min(age, r.randint(1, 240)), minutes=r.randint(0, 600)),
            )
            b_perkara.add(
                f"({index},{alur},{counters[key]},'{nomor}',{ds(reg.date())},{kind + 1},"
                f"'{kode}',{esc(nama_jenis)},{esc(para)},{esc(p1_text)},{esc(p2_text)},"
                f"{esc(pokok)},{petitum},{nilai},'{status}',{esc(status)},'{who}',{ts(reg)},"
                f"'{r.choice(staff)}',{ts(updated)})"
            )
            # penetapan majelis and the hearings
            first = reg.date() + dt.timedelta(days=r.randint(7, 21))
            majelis = ", ".join(r.sample(HAKIM, 3))
            b_penetapan.add(
                f"({index},{ds(reg.date() + dt.timedelta(days=r.randint(1, 5)))},"
                f"{esc(majelis)},{esc(r.choice(PANITERA))},{esc(r.choice(JURUSITA))},"
                f"{ds(first)},{ds(first)},{ts(reg)})"
            )
            hearings = min(max(0, (age - 7) // 10), r.randint(2, 11))
            day = first
            for urut in range(1, hearings + 1):
                self.jadwal_id += 1
                tunda = r.random() < 0.2
                jam = r.randint(9, 15)
                b_jadwal.add(
                    f"({self.jadwal_id},{index},{urut},{ds(day)},'{jam:02d}:00:00',"
                    f"'{jam + 1:02d}:30:00',{esc(r.choice(AGENDA))},'{r.choice(RUANG)}','T',"
                    f"'{'Y' if tunda else 'T'}',{esc(r.choice(TUNDA)) if tunda else 'NULL'},"
                    f"'{r.choice(staff)}',{ts(reg + dt.timedelta(days=urut))})"
                )
                day += dt.timedelta(days=r.choice((7, 7, 14)))
            if decided:
                put = reg.date() + dt.timedelta(days=min(age - 1, r.randint(30, 160)))
                sid, sname = r.choice(STATUS_PUTUSAN[4:] if pidana else STATUS_PUTUSAN[:4])
                verdict = (
                    "terbukti secara sah dan meyakinkan bersalah melakukan tindak pidana"
                    if pidana
                    else "dalam perkara"
                )
                amar = (
                    f"MENGADILI: 1. Menyatakan {p2[0][1] if p2 else p1[0][1]} "
                    f"{verdict} {nama_jenis}; "
                    f"2. {sname} {r.randint(2, 60)} bulan; 3. Membebankan biaya perkara "
                    f"sebesar Rp{self.money()}; "
                    + " ".join(
                        self.fill(r.choice(FILLER), put) + ";" for _ in range(r.randint(1, 4))
                    )
                )
                minut = put + dt.timedelta(days=r.randint(1, 14))
                b_putusan.add(
                    f"({index},{ds(put)},{sid},'{sname}',{esc(amar)},"
                    f"{esc(PASAL.get(nama_jenis, 'KUHPerdata'))},"
                    f"{ds(minut) if minut < self.now.date() else 'NULL'},"
                    f"{ds(put + dt.timedelta(days=21)) if age > 200 else 'NULL'},"
                    f"'{r.choice(staff)}',{ts(dt.datetime.combine(put, dt.time(15, 0)))})"
                )
        for batch in (b_perkara, b_pihak, *links.values(), b_jadwal, b_putusan, b_penetapan):
            batch.flush()

    def users(self) -> None:
        r, out = self.rng, self.out
        b_groups = Batch(out, "sys_groups", "groupid,name,description")
        for gid, (name, desc) in enumerate(GROUPS, 1):
            b_groups.add(f"({gid},{esc(name)},{esc(desc)})")
        b_groups.flush()
        b_users = Batch(
            out, "sys_users", "userid,username,password,fullname,email,block,last_login,created_at"
        )
        b_ug = Batch(out, "sys_user_group", "id,userid,groupid")
        password = hashlib.md5(LAB_PASSWORD.encode()).hexdigest()  # noqa: S324
        seen = {"admin"}
        self.usernames = ["admin"]
        b_users.add(
            f"(1,'admin','{password}','Administrator SIPP','admin@localhost',0,"
            f"{ts(self.now - dt.timedelta(hours=2))},'2016-06-01 08:00:00')"
        )
        b_ug.add("(1,1,1)")
        while len(self.usernames) < self.args.users:
            name, _ = self.person()
            base = name.split(" bin")[0].split(" binti")[0]
            login = ".".join(base.lower().replace("'", "").split()[:2])
            if login in seen:
                continue
            seen.add(login)
            self.usernames.append(login)
            uid = len(self.usernames)
            b_users.add(
                f"({uid},'{login}','{password}',{esc(base)},'{login}@pn.go.id',"
                f"{1 if r.random() < 0.05 else 0},"
                f"{ts(self.now - dt.timedelta(minutes=r.randint(5, 60 * 24 * 10)))},"
                f"'{r.randint(2016, 2024)}-0{r.randint(1, 9)}-1{r.randint(0, 9)} 09:00:00')"
            )
            b_ug.add(f"({uid},{uid},{r.randint(2, len(GROUPS))})")
        b_users.flush()
        b_ug.flush()

    def sessions(self) -> None:
        r = self.rng
        batch = Batch(
            self.out,
            "sys_user_online",
            "session_id,userid,host_address,login_time,last_visit,user_agent",
        )
        count = min(self.args.online_active + self.args.online_idle, len(self.usernames))
        users = r.sample(range(1, len(self.usernames) + 1), count)
        for i, uid in enumerate(users):
            if i < self.args.online_active:
                last = self.now - dt.timedelta(seconds=r.randint(5, 240))
            else:
                last = self.now - dt.timedelta(minutes=r.randint(60, 300))
            login = last - dt.timedelta(minutes=r.randint(10, 240))
            sid = hashlib.sha1(f"{self.args.seed}-{uid}-{i}".encode()).hexdigest()  # noqa: S324
            batch.add(
                f"('{sid}',{uid},'10.10.{r.randint(1, 3)}.{r.randint(10, 250)}',"
                f"{ts(login)},{ts(last)},{esc(r.choice(AGENTS))})"
            )
        batch.flush()

    def audit(self) -> None:
        """Audit rows over the last days: office hours mostly, plus planted events."""
        r, args = self.rng, self.args
        rows: list[tuple[dt.datetime, str, str, str, str, str, str]] = []
        ips = {u: f"10.10.{r.randint(1, 3)}.{r.randint(10, 250)}" for u in self.usernames}
        cum = self._cumulative([w for _, w in ACTIONS])
        start = self.now - dt.timedelta(days=args.audit_days)
        span = int((self.now - start).total_seconds())
        for _ in range(args.audit_rows):
            when = self.audit_time(start, span)
            pick = r.randint(1, cum[-1])
            action = ACTIONS[next(i for i, c in enumerate(cum) if c >= pick)][0]
            user = r.choice(self.usernames)
            rows.append(self.audit_row(when, ips[user], user, action))
        # planted for the maintenance SOP: within the last day
        t0 = self.now - dt.timedelta(hours=3)
        for i in range(15):
            rows.append(
                self.audit_row(
                    t0 + dt.timedelta(seconds=20 * i), "10.10.20.77", "admin", "login_failed"
                )
            )
        # the latest of today 22:14, today 05:40, yesterday 22:14 that lies 15 minutes
        # back at least: always outside office hours and within the last 17 hours
        today = self.now.replace(second=0, microsecond=0)
        night = max(
            t
            for t in (
                today.replace(hour=22, minute=14),
                today.replace(hour=5, minute=40),
                today.replace(hour=22, minute=14) - dt.timedelta(days=1),
            )
            if t <= self.now - dt.timedelta(minutes=15)
        )
        user = self.usernames[-1]
        rows.append(self.audit_row(night, "10.10.3.201", user, "login"))
        rows.append(
            self.audit_row(
                night + dt.timedelta(minutes=7),
                "10.10.3.201",
                user,
                "delete",
                table="perkara_jadwal_sidang",
            )
        )
        rows.append(
            self.audit_row(
                night + dt.timedelta(minutes=9),
                "10.10.3.201",
                user,
                "delete",
                table="perkara_pihak2",
            )
        )
        rows.append(
            self.audit_row(
                self.now - dt.timedelta(minutes=30),
                ips["admin"],
                "admin",
                "delete",
                table="perkara_putusan",
            )
        )
        rows.sort(key=lambda row: row[0])
        batch = Batch(
            self.out,
            "sys_audittrail",
            "datetime,ipaddress,username,tablename,formname,action,title,description",
        )
        for row in rows:
            batch.add(
                f"({ts(row[0])},'{row[1]}','{row[2]}',{esc(row[3])},{esc(row[4])},"
                f"'{row[5]}',{esc(row[6])},{esc(self.describe(row))})"
            )
        batch.flush()

    def audit_time(self, start: dt.datetime, span: int) -> dt.datetime:
        """A time in the window: office hours on weekdays, about 4% at other times."""
        r = self.rng
        while True:
            when = start + dt.timedelta(seconds=r.randint(0, span))
            if r.random() > 0.04 and (when.weekday() >= 5 or not 8 <= when.hour < 16):
                when = when.replace(hour=r.randint(8, 15), minute=r.randint(0, 59))
                if when.weekday() >= 5:
                    when -= dt.timedelta(days=when.weekday() - 4)
            if start <= when <= self.now:
                return when

    def audit_row(
        self, when: dt.datetime, ip: str, user: str, action: str, table: str | None = None
    ) -> tuple[dt.datetime, str, str, str, str, str, str]:
        if action in ("login", "logout", "login_failed"):
            return (
                when,
                ip,
                user,
                "sys_users",
                "frmLogin",
                action,
                {
                    "login": "Login ke SIPP",
                    "logout": "Logout dari SIPP",
                    "login_failed": "Login gagal",
                }[action],
            )
        if table is None:
            table, form = self.rng.choice(FORMS)
        else:
            form = dict(FORMS).get(table, "frmPerkara")
        title = {
            "view": "Melihat data",
            "update": "Mengubah data",
            "insert": "Menambah data",
            "print": "Mencetak dokumen",
            "delete": "Menghapus data",
        }[action]
        return (when, ip, user, table, form, action, f"{title} {table}")

    def describe(self, row: tuple[dt.datetime, str, str, str, str, str, str]) -> str:
        action = row[5]
        if action == "login_failed":
            return f"Gagal login user {row[2]} dari {row[1]}: password salah"
        if action in ("login", "logout"):
            return f"User {row[2]} {action} dari {row[1]}"
        ref = self.rng.randint(1, max(1, self.args.cases))
        return f"{row[6]} perkara_id={ref} oleh {row[2]}"

    def config(self) -> None:
        a = self.args
        batch = Batch(self.out, "sys_config", "category,name,value")
        for category, name, value in (
            ("satker", "kode_satker", a.kode_satker),
            ("satker", "nama_satker", a.court_name),
            ("satker", "kode_pn", a.court_code),
            ("sistem", "versi_sipp", "5.4.0 (lab)"),
            ("lab", "datagen", marker(a)),
        ):
            batch.add(f"({esc(category)},{esc(name)},{esc(value)})")
        batch.flush()

    def run(self) -> None:
        self.out.write(SCHEMA)
        self.out.write("SET autocommit = 0; SET unique_checks = 0;\n")
        self.users()
        self.cases()
        self.sessions()
        self.audit()
        self.config()
        self.out.write("COMMIT;\nSET foreign_key_checks = 1;\n")


def marker(args: argparse.Namespace) -> str:
    """What the role compares to decide whether to regenerate."""
    return (
        f"v={SCHEMA_VERSION};cases={args.cases};audit_rows={args.audit_rows};"
        f"users={args.users};seed={args.seed}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument(
        "--audit-rows",
        type=int,
        default=0,
        help="audit trail rows (default: 5 per case, at least 5000)",
    )
    parser.add_argument("--audit-days", type=int, default=14)
    parser.add_argument("--online-active", type=int, default=5)
    parser.add_argument("--online-idle", type=int, default=3)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--court-name", default="Pengadilan Negeri Lab Kelas II")
    parser.add_argument("--court-code", default="PN Lab")
    parser.add_argument("--kode-satker", default="400999")
    parser.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        default=None,
        help="reference time (default: now, local)",
    )
    parser.add_argument("--print-marker", action="store_true")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.users < 2 or args.audit_days < 1:
        parser.error("--cases must be >= 1, --users >= 2, --audit-days >= 1")
    if args.audit_rows <= 0:
        args.audit_rows = max(5000, 5 * args.cases)
    if args.now is None:
        args.now = dt.datetime.now().replace(microsecond=0)
    return args


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    args = parse_args(argv)
    stream = out or sys.stdout
    if args.print_marker:
        stream.write(marker(args) + "\n")
        return 0
    Generator(args, stream).run()
    stream.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
