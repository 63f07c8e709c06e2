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
import itertools
import random
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

SCHEMA_VERSION = 2

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

# What real SIPP has beside tables: a view, a trigger, a stored function and an event.
# Single statements (no DELIMITER needed), CREATE OR REPLACE: applying them twice is a
# no-op. The event is DISABLED (the lab's event scheduler may be off; it would be
# harmless anyway: it only removes sessions idle for more than a day).
OBJECTS = """
CREATE OR REPLACE SQL SECURITY INVOKER VIEW v_perkara AS
  SELECT p.perkara_id, p.nomor_perkara, p.tanggal_pendaftaran, p.jenis_perkara_nama,
         p.status, u.tanggal_putusan, u.status_putusan_nama, u.tanggal_minutasi, u.tanggal_bht
  FROM perkara p LEFT JOIN perkara_putusan u ON u.perkara_id = p.perkara_id;
CREATE OR REPLACE TRIGGER perkara_bu_diperbaharui BEFORE UPDATE ON perkara FOR EACH ROW
  SET NEW.diperbaharui_tanggal = IF(NEW.diperbaharui_tanggal <=> OLD.diperbaharui_tanggal,
                                    NOW(), NEW.diperbaharui_tanggal);
CREATE OR REPLACE FUNCTION f_nomor_urut_berikut(p_kode VARCHAR(20), p_tahun SMALLINT)
  RETURNS INT UNSIGNED READS SQL DATA SQL SECURITY INVOKER
  COMMENT 'Nomor urut perkara berikutnya untuk kode dan tahun'
  RETURN (SELECT COALESCE(MAX(nomor_urut_perkara), 0) + 1 FROM perkara
          WHERE jenis_perkara_kode = p_kode AND YEAR(tanggal_pendaftaran) = p_tahun);
CREATE OR REPLACE EVENT ev_hapus_sesi_kedaluwarsa ON SCHEDULE EVERY 1 HOUR DISABLE
  COMMENT 'Menghapus sesi yang tidak aktif lebih dari satu hari'
  DO DELETE FROM sys_user_online WHERE last_visit < NOW() - INTERVAL 1 DAY;
"""
# The objects as information_schema lists them (the role's check of their presence).
OBJECT_NAMES = (
    "EVENT ev_hapus_sesi_kedaluwarsa",
    "FUNCTION f_nomor_urut_berikut",
    "TRIGGER perkara_bu_diperbaharui",
    "VIEW v_perkara",
)


def _words(text: str) -> tuple[str, ...]:
    """A pool written as whitespace-separated words; '_' stands for a space."""
    return tuple(word.replace("_", " ") for word in text.split())


MALE = _words("""
Abdul Abdullah Abu Adi Aditya Adnan Afrizal Agung Agus Ahmad Akbar Alfian Ali Amir Andi Andika
Anton Anwar Ardi Arief Arif Arman Asep Azhar Bagus Bambang Basuki Bayu Benny Budi Cahyo Candra
Dadang Danang Dani Darmawan Darwis Dedi Deni Dian Dimas Doni Dwi Edi Effendi Eko Endang Erwin
Fadli Fahmi Fajar Faisal Feri Firman Gilang Gunawan Guntur Hadi Hamdan Hari Haris Hasan Hendra
Hendri Heri Heru Hidayat Ilham Imam Indra Irfan Irwan Iskandar Iwan Jaka Joko Junaidi Kadir
Khairul Kurnia Lukman Made Mahmud Makmur Marjuki Ma'ruf Mukhlis Muhammad Mulyadi Munir Nanang
Nasrul Nyoman Nur Paijo Pardi Prabowo Rahmat Ramli Rizal Rizki Reza Ridwan Rudi Rusli Safri
Saiful Salim Samsul Sardi Slamet Sofyan Sugeng Sugiarto Suhendra Sukardi Sulaiman Supriadi
Suparman Surya Suryadi Sutrisno Syafrizal Syahrul Syamsuddin Taufik Teguh Tono Tri Umar Usman
Wahyu Wawan Wayan Widodo Yanto Yoga Yudi Yusuf Zainal Zulfikar Zulkifli Ketut Rusdi Bonar
Togar Parlindungan Martua Sahat Horas Tumpal Jhonson Robert Yohanes Petrus Fransiskus Antonius
Stefanus Agustinus Daniel Samuel Markus Ahok Liong Hengky Akhyar Baharuddin Darmadi Erianto Ferdi
Gusti Habibi Ismail Jamaluddin Kasim Lutfi Mursalin Nazaruddin Oktavianus Pangeran Rasyid Sabar
""")
FEMALE = _words("""
Ade Agustina Aisyah Ani Anita Ayu Dewi Dian Dina Eka Elvi Endang Erna Evi Fatimah Fitri Hajah
Halimah Hartati Herlina Ida Indah Intan Irma Juliana Kartini Khadijah Lestari Lina Linda Maryam
Maya Mega Melati Mira Nani Nia Novi Nur Nurhayati Nurul Putri Rahma Rahmawati Ratna Rina Rini
Rosmawati Rosita Sari Septi Siti Sri Suci Sulastri Suryani Susanti Tuti Umi Wati Wulan Yanti
Yuli Yuni Zahra Zubaidah Asih Badriah Cici Dewinta Elisabeth Fransiska Grace Hotmauli Imelda
Jelita Kristina Lasmaria Marlina Maria Monika Nurlela Purnama Rosmida Rusmini Samsiah Tiurma
Veronika Widya Yohana Yustina Ernawati Hasanah Jamilah Kurniasih Mardiana Nurjanah Ratih Sumiati
Sundari Tati Warsini Yeni Zulaikha Agustini Budiarti Darmi Emi Farida Gita Hesti Ika Juwita
""")
FAMILY = _words("""
Santoso Wijaya Saputra Hidayat Gunawan Setiawan Kurniawan Susanto Pratama Nugroho Siregar
Harahap Nasution Simanjuntak Lubis Hasibuan Sihombing Rahman Hakim Syahputra Utomo Purnomo Halim
Wibowo Manurung Tanjung Putra Firmansyah Sembiring Ginting Panjaitan Suryadi Hutapea Effendi
Prasetyo Sitorus Pardede Napitupulu Silalahi Tambunan Sinaga Situmorang Simatupang Pohan Daulay
Rangkuti Batubara Matondang Damanik Saragih Purba Tarigan Karo-karo Sitepu Perangin-angin
Tampubolon Marpaung Gultom Hutagalung Pasaribu Sianipar Aritonang Munthe Surbakti Chaniago
Koto Piliang Sikumbang Tanjung Jambak Melayu Sinulingga Lumbantobing Hutabarat Pane Ritonga
Rambe Dalimunthe Pulungan Lubis Lase Zebua Halawa Telaumbanua Gea Wau Mendrofa Haryanto
Kusuma Wardhana Hartono Sasmita Permana Ramadhan Saleh Hamid Yunus Bakar Latif Syarif Wahid
Zulkarnain Iskandar Maulana Hasyim Mubarak Ibrahim Fauzi Arifin Sulistyo Wirawan Handoko Hermawan
Sudarmaji Wahyudi Rusdianto Mulyono Supriyanto Suprapto Nainggolan Sibarani Sirait Butarbutar
Tobing Simbolon Manalu Siahaan Tampubolon Tan Lim Wong Liem Gozali Sutanto Tjandra Halimi
""")
VILLAGE_HEAD = _words("""
Suka Sido Karang Tanjung Sungai Kampung Pematang Teluk Air Bukit Padang Lubuk Kota Talang
Sumber Mekar Harapan Tegal Wono Rejo Banjar Jati Kebun Pasir Muara Batu Simpang Parit Pulau
Kuala Rantau Tanah Ujung Koto Labuhan Bandar Sri Sei Dusun Pangkalan Kubang Rimba Kedung Ngadi
Ngemplak Pandan Cempaka Kenari Kelapa
""")
VILLAGE_TAIL = _words("""
maju jadi mulya mulyo rejo sari jaya makmur harjo agung baru indah asri raya tengah hilir hulu
lama permai damai subur bakti kencana wangi putih merah hitam kuning dalam luar mas intan
mandiri sejahtera abadi anyar kidul lor wetan kulon kembang sepakat utama_Barat utama_Timur
Alam Duku Mandi Latak Senggoro Damon Pinang Perak Gading Datuk Raja Laut
""")
KECAMATAN = _words("""
Bengkalis Bantan Bukit_Batu Mandau Rupat Rupat_Utara Siak_Kecil Pinggir Bathin_Solapan
Talang_Muandau Bandar_Laksamana Tualang Minas Kandis Sungai_Apit Sungai_Mandau Kerinci_Kanan Dayun
Koto_Gasib Mempura Sabak_Auh Bunga_Raya Lubuk_Dalam Perawang Kubu Bangko Tanah_Putih Pujud
Rimba_Melintang Bagan_Sinembah Sinaboi Pasir_Limau_Kapas Batu_Hampar Medang_Kampai Sungai_Sembilan
Bukit_Kapur Dumai_Barat Dumai_Timur Dumai_Kota Rumbai Tampan Marpoyan_Damai Bukit_Raya
Tenayan_Raya Sail Bangil Beji Pandaan Gempol Rembang Kraton Pohjentrek Grati Nguling Lekok Prigen
Purwosari Sukorejo Wonorejo Kejayan Winongan Gondangwetan Lumbang Tosari Puspo Tutur
""")
KABUPATEN = _words("""
Kab._Bengkalis Kab._Siak Kota_Dumai Kab._Kampar Kab._Rokan_Hilir Kab._Rokan_Hulu
Kab._Indragiri_Hilir Kab._Indragiri_Hulu Kab._Kepulauan_Meranti Kab._Pelalawan
Kab._Kuantan_Singingi Kota_Pekanbaru Kab._Pasuruan Kota_Pasuruan Kab._Sidoarjo Kab._Probolinggo
Kota_Malang Kab._Malang Kota_Surabaya Kab._Deli_Serdang Kota_Medan Kab._Asahan Kab._Labuhanbatu
Kab._Karo Kab._Simalungun Kab._Tapanuli_Utara Kab._Mandailing_Natal Kota_Padang Kab._Agam
Kab._Pasaman Kota_Bukittinggi Kota_Jambi Kab._Muaro_Jambi Kota_Palembang Kab._Banyuasin Kota_Batam
Kota_Tanjungpinang Kab._Karimun Kab._Bintan Kab._Natuna Kota_Bandung Kab._Garut Kab._Cirebon
Kota_Semarang Kab._Demak Kab._Kendal Kab._Jepara Kab._Kudus Kab._Pati Kota_Yogyakarta Kab._Sleman
Kab._Bantul Kab._Jember Kab._Banyuwangi Kab._Lumajang Kab._Bojonegoro Kab._Lamongan Kab._Gresik
Kab._Tuban Kota_Makassar Kab._Gowa Kab._Bone Kota_Pontianak Kab._Sambas Kota_Banjarmasin
Kab._Banjar Kota_Samarinda Kota_Balikpapan Kab._Kutai_Kartanegara Kota_Manado Kab._Minahasa
Kota_Ambon Kota_Jayapura Kab._Lombok_Timur Kota_Mataram Kab._Kupang Kota_Denpasar Kab._Gianyar
Kab._Buleleng
""")
CITIES = _words("""
Bengkalis Pekanbaru Dumai Medan Padang Pasuruan Surabaya Malang Jakarta Bandung Semarang Palembang
Jambi Tanjung_Pinang Siak_Sri_Indrapura Selatpanjang Bagansiapiapi Duri Rengat Tembilahan
Bangkinang Pangkalan_Kerinci Teluk_Kuantan Pasir_Pengaraian Tebing_Tinggi Pematangsiantar Sibolga
Padangsidimpuan Rantauprapat Kisaran Tanjungbalai Binjai Bukittinggi Payakumbuh Solok Sawahlunto
Lubuklinggau Prabumulih Batam Tanjung_Balai_Karimun Bangil Probolinggo Sidoarjo Mojokerto Jombang
Kediri Blitar Madiun Ngawi Tulungagung Jember Banyuwangi Lumajang Yogyakarta Solo Klaten Magelang
Purwokerto Tegal Pekalongan Cirebon Tasikmalaya Garut Sukabumi Bogor Bekasi Tangerang Serang
Lampung Metro Makassar Parepare Palopo Pontianak Singkawang Banjarmasin Samarinda Balikpapan
Manado Ambon Kupang Mataram Denpasar Aceh Lhokseumawe Langsa Sigli Meulaboh
""")
STREETS = _words("""
Merdeka Sudirman Diponegoro Ahmad_Yani Gatot_Subroto Pahlawan Imam_Bonjol Hang_Tuah Gajah_Mada
Hayam_Wuruk Veteran Pemuda Kartini Cut_Nyak_Dien Teuku_Umar Sisingamangaraja Pattimura
Sultan_Syarif_Kasim Antara Bhayangkara Kenanga Melati Mawar Cempaka Pramuka Pelajar
Datuk_Laksamana Lintas_Timur Lintas_Barat Jend._Sudirman Sutomo Hasanuddin Juanda Hangtuah Kamboja
Flamboyan Dahlia Anggrek Teratai Nangka Durian Rambutan Manggis Kelapa_Sawit Karet Pinang_Merah
Bakti Kesehatan Pendidikan Perjuangan Kemerdekaan Proklamasi Pancasila Garuda Rajawali Elang
Merpati Nuri Cendrawasih Sungai_Kampar Sungai_Siak Riau Sumatera Jawa Kalimantan Sulawesi Thamrin
Wolter_Monginsidi Slamet_Riyadi Supomo Yos_Sudarso Ki_Hajar_Dewantara Dr._Wahidin Dr._Sutomo
R.A._Kartini Tuanku_Tambusai Panglima_Polim Raja_Ali_Haji Engku_Putri Pasar_Baru Pasar_Lama
Pelabuhan Bandara Stadion Pramuka_Ujung Gelora Sidomulyo Tegal_Sari Bukit_Barisan
Kaharuddin_Nasution Soekarno-Hatta Tengku_Bey Arifin_Ahmad Nenas Pepaya Mangga Jambu Belimbing
Sawo Kedondong
""")
JOBS = _words("""
Wiraswasta Petani Pekebun Nelayan Buruh_Harian_Lepas Buruh_Tani Karyawan_Swasta Pegawai_Negeri_Sipil
Pedagang Ibu_Rumah_Tangga Pelajar/Mahasiswa Sopir Tidak_Bekerja Guru Guru_Honorer Tukang_Bangunan
Tukang_Kayu Tukang_Las Montir Tukang_Ojek Pengemudi_Ojek_Online Penjahit Pedagang_Kaki_Lima
Karyawan_BUMN Karyawan_BUMD Anggota_TNI Anggota_Polri Perangkat_Desa Kepala_Desa Honorer Bidan
Perawat Dokter Apoteker Pengacara Notaris Wartawan Satpam Cleaning_Service Kontraktor Peternak
Pembudidaya_Ikan Buruh_Pabrik Operator_Alat_Berat Mekanik Juru_Masak Pelaut Kuli_Angkut
Pensiunan Mahasiswa Pengusaha Makelar Sales Teknisi Staf_Administrasi Bendahara_Desa Dosen
""")
EDUCATION = ("SD", "SMP", "SMA/SMK", "SMA", "D3", "S1", "S2", "Tidak Sekolah", "Tidak Tamat SD")
RELIGION = ("Islam",) * 7 + ("Kristen", "Kristen", "Katolik", "Hindu", "Buddha", "Konghucu")
COMPANY_FORM = ("PT", "PT", "CV", "CV", "Koperasi", "UD", "Yayasan", "PT Bank", "KSP")
COMPANY_WORD = _words("""
Sinar Riau Lestari Karya Mandiri Bintang Timur Nusantara Sejahtera Harapan Bangsa Abadi Jaya
Makmur Sentosa Utama Prima Agung Maju Bersama Mitra Usaha Tani Sawit Indah Permai Cahaya Baru
Samudera Pasifik Andalas Melayu Persada Buana Artha Graha Sumber Rezeki Berkah Amanah Mulia
Perkasa Inti Global Teknik Niaga Mas Kencana Wahana Surya Bumi Raya Alam Hijau Lautan Teluk
""")
VOCAB = _words("""
yang dan di ke dari dengan untuk pada dalam oleh tersebut bahwa tidak telah akan ini itu atau
juga adalah sebagai karena saat kemudian setelah sebelum hingga sampai bersama lalu namun tetapi
sedangkan serta maupun apabila jika sehingga agar supaya ketika sejak selama terhadap tentang
antara atas bawah sekitar menuju melalui tanpa kepada bagi para masing-masing sendiri beberapa
semua seluruh setiap sebuah seorang satu dua tiga empat lima enam tujuh delapan sembilan sepuluh
terdakwa saksi korban penggugat tergugat pemohon termohon penuntut umum hakim majelis panitera
jurusita penyidik penyelidik kuasa hukum advokat penasihat ahli kepala desa lurah camat petugas
anggota kepolisian sektor resor polisi jaksa kejaksaan negeri pengadilan tinggi agung mahkamah
perkara gugatan permohonan dakwaan tuntutan pembelaan replik duplik putusan penetapan amar
pertimbangan bukti barang surat keterangan visum repertum berita acara pemeriksaan penyitaan
penangkapan penahanan rumah tahanan negara lembaga pemasyarakatan kota tahanan penangguhan
sepeda motor mobil truk kendaraan nomor polisi rangka mesin warna hitam putih merah biru silver
abu-abu handphone telepon genggam dompet tas ransel kotak kardus plastik klip bening timbangan
digital alat hisap bong pipa kaca korek api gunting pisau parang kayu besi batu rantai tali
uang tunai rupiah lembar pecahan ratus ribu juta rekening bank transfer kuitansi nota faktur
sertifikat hak milik tanah bangunan rumah toko ruko gudang kebun sawit karet kelapa pinang
sagu padi jagung ikan kapal pompong sampan jaring pukat gudang kolam kandang ayam sapi kambing
mengambil membawa memiliki menyimpan menguasai menjual membeli menyerahkan menerima mengakui
menyangkal menerangkan menjelaskan menyatakan menolak mengabulkan membebankan menetapkan
memerintahkan menghukum membayar mengganti merugikan memukul menendang menusuk mendorong
mengancam membujuk menjanjikan menipu menggelapkan memalsukan merusak membakar menebang
mengangkut mengedarkan memperjualbelikan menawarkan menghubungi mendatangi menunggu melarikan
ditangkap ditahan diamankan disita dibawa diperiksa ditemukan diketahui dilaporkan dilihat
didengar dipanggil dihadirkan dibacakan diajukan diberikan dikembalikan dirampas dimusnahkan
dipergunakan dikuasai disimpan dijual dibeli diterima dibayar dilunasi diangsur dijaminkan
sah meyakinkan bersalah melawan hukum sengaja sadar patut wajar ringan berat sedang baik buruk
lengkap jelas nyata benar salah sepenuhnya seketika langsung berulang kali pernah belum sudah
masih lagi hanya bahkan justru pula sekali sangat cukup kurang lebih sama berbeda tertentu umum
pagi siang sore malam dini hari tanggal bulan tahun minggu sekitar pukul jam menit waktu
kejadian peristiwa tempat lokasi jalan simpang gang lorong pasar terminal pelabuhan pangkalan
warung kedai kios bengkel sekolah masjid gereja kantor balai kebun ladang hutan sungai parit laut
pantai jembatan persimpangan pinggir depan belakang samping dalam luar sebelah utara selatan
timur barat kamar tidur dapur teras halaman pekarangan pagar pintu jendela lemari laci meja
ayah ibu anak istri suami adik kakak paman bibi kakek nenek keponakan sepupu menantu mertua
tetangga teman rekan kerja atasan bawahan majikan pembeli penjual pemilik penyewa peminjam
kerugian materiil immateriil ganti rugi bunga denda biaya ongkos pajak angsuran cicilan utang
piutang pinjaman jaminan agunan hipotek fidusia hak tanggungan wanprestasi ingkar janji lalai
perjanjian kesepakatan akta notaris kuasa jual beli sewa menyewa hibah waris wasiat
perceraian nafkah hak asuh pengasuhan harta bersama gono-gini perkawinan pernikahan
narkotika golongan bukan tanaman sabu metamfetamina ganja daun biji batang ekstasi pil
tablet gram brutto netto bersih sisa uji laboratorium forensik positif mengandung
perlindungan anak persetubuhan pencabulan kekerasan fisik psikis luka memar lecet robek
pendarahan rumah sakit umum daerah puskesmas dokter pemeriksa perawatan kesehatan
judi togel kupon rekapan angka tebakan mesin ketangkasan taruhan bandar pemasang
kayu olahan balok papan kubik izin sah dokumen hasil hutan kawasan lindung produksi
keadaan memberatkan meringankan menyesali perbuatannya berjanji mengulangi bersikap sopan
persidangan berterus terang tulang punggung keluarga meresahkan masyarakat program pemerintah
pemberantasan peredaran gelap mendukung belum pernah dihukum residivis
menimbang mengingat memperhatikan mengadili menyatakan membebaskan melepaskan memulihkan hak
kemampuan kedudukan harkat martabat sepatutnya segala akibat hukumnya seluruhnya sebagian
selebihnya verstek eksepsi provisi konvensi rekonvensi intervensi sita jaminan revindicatoir
conservatoir dwangsom uitvoerbaar voorraad inkracht berkekuatan tetap banding kasasi
peninjauan kembali upaya pikir-pikir menerima salinan pemberitahuan relaas panggilan sidang
""")

# Verb roots: VOCAB gains their di-, di-...-kan, ter-, ber-, -an, pe-...-an and ke-...-an
# forms (not every form is a real word; together they read like Indonesian).
ROOTS = _words("""
ambil bawa simpan jual beli terima tolak periksa tangkap tahan sita bayar ganti pukul tendang
tusuk dorong ancam bujuk janji tipu gelap palsu rusak bakar tebang angkut edar tawar hubung datang
tunggu lari temu lapor lihat dengar panggil hadir baca aju beri kembali rampas musnah guna kuasa
jamin angsur lunas akui sangkal terang nyata tetap perintah hukum bebas lepas pulih timbang ingat
adil putus sidang dakwa tuntut bela gugat mohon tunda catat tulis tanda cetak kirim antar jemput
cari kejar sergap geledah buka tutup kunci ikat pegang sembunyi buang lempar jatuh pecah potong
iris ukur hitung jumlah kurang tambah pinjam sewa gadai cicil tagih pungut setor tarik pindah
pakai minta jaga rawat obat tanam panen olah kelola urus bangun pagar ukir gali timbun ajar didik
latih kerja usaha dagang tukar campur racik kemas bungkus timbang jemur keringkan
""")
NICKNAMES = _words("""
Ucok Butet Acong Atan Buyung Cecep Dodi Entong Gembul Iyus Jabrik Kribo Kumis Lekok Mamat
Oyong Pendek Pitung Ribut Sabeng Tole Udin Ujang Wak_Leh Yayan Bogel Cepot Gondrong Keling
""")
MONTHS = _words("""
Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember
""")
DAYS = _words("Senin Selasa Rabu Kamis Jumat Sabtu Minggu")
TERBILANG = _words("""
nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas dua_belas tiga_belas
empat_belas lima_belas enam_belas tujuh_belas delapan_belas sembilan_belas dua_puluh
""")
# Hand-written legal phrases: the most frequent pieces of the generated prose.
LEGAL_PHRASES = (
    "atau setidak-tidaknya pada suatu waktu",
    "yang masih termasuk dalam daerah hukum",
    "sebagaimana diatur dan diancam pidana dalam",
    "dengan maksud untuk dimiliki secara melawan hukum",
    "tanpa hak atau melawan hukum",
    "yang seluruhnya atau sebagian kepunyaan orang lain",
    "berdasarkan keterangan saksi-saksi dan alat bukti surat",
    "di bawah sumpah menurut agamanya",
    "membenarkan barang bukti yang diperlihatkan di persidangan",
    "dan terdakwa tidak keberatan",
    "perbuatan terdakwa dilakukan dengan sengaja",
    "sebagaimana tersebut dalam berita acara",
    "untuk selanjutnya disebut sebagai",
    "berdasarkan fakta hukum yang terungkap di persidangan",
    "unsur-unsur pasal yang didakwakan",
    "telah terpenuhi secara sah menurut hukum",
    "menurut pendapat Majelis Hakim",
    "oleh karena itu harus dinyatakan",
    "mohon kepada Majelis Hakim yang memeriksa dan mengadili perkara ini",
    "dengan segala akibat hukumnya",
    "secara patut dan sah",
    "namun tidak hadir dan tidak pula menyuruh orang lain sebagai kuasanya",
    "sebagaimana tercantum dalam surat gugatan",
    "menurut ketentuan Pasal 1320 KUHPerdata",
    "dalam keadaan sehat jasmani dan rohani",
    "tidak ada alasan pemaaf maupun alasan pembenar",
    "yang dapat menghapuskan pertanggungjawaban pidana",
    "hal-hal yang memberatkan dan yang meringankan",
    "sesuai dengan hasil pemeriksaan laboratorium",
    "yang dibuat dan ditandatangani oleh",
)
OPENERS = (
    "Bahwa",
    "Bahwa",
    "Bahwa",
    "Bahwa kemudian",
    "Bahwa selanjutnya",
    "Menimbang, bahwa",
    "Bahwa pada saat itu",
    "Bahwa atas kejadian tersebut",
    "Bahwa berdasarkan hal tersebut",
    "Selanjutnya",
    "Kemudian",
    "Setelah itu",
    "Bahwa sebelumnya",
    "Menimbang, bahwa oleh karena",
    "Bahwa menurut keterangan saksi",
    "Bahwa terhadap",
    "Bahwa dengan demikian",
)
ENDS = (";", ";", ";", ".", ".", ",")
MERK = _words("""
Honda_Beat Honda_Vario Honda_Supra_X Honda_Scoopy Yamaha_NMAX Yamaha_Mio Yamaha_Jupiter_Z
Suzuki_Satria Kawasaki_Ninja Toyota_Avanza Toyota_Kijang_Innova Daihatsu_Xenia Mitsubishi_L300
Isuzu_Panther Samsung_Galaxy_A12 Samsung_Galaxy_J2 Oppo_A5s Vivo_Y12 Xiaomi_Redmi_9 Realme_C11
iPhone_7 Nokia_105 Infinix_Hot_10 Asus_Vivobook Lenovo_Ideapad Acer_Aspire
""")
WARNA = _words("hitam putih merah biru silver abu-abu hijau kuning coklat hitam_doff merah_marun")
UNIT = _words("""
unit buah lembar helai batang tandan kilogram gram paket bungkus kotak karung ekor potong
pasang botol set keping
""")
BARANG = _words("""
sepeda_motor mobil handphone dompet tas_ransel kunci_T kunci_kontak kotak_kardus plastik_klip_bening
timbangan_digital alat_hisap_(bong) pipet_kaca korek_api_gas gunting pisau parang linggis obeng
kayu_olahan tandan_buah_sawit getah_karet kabel_tembaga tabung_gas televisi laptop cincin_emas
kalung_emas uang_tunai buku_tabungan kartu_ATM STNK BPKB sertifikat_hak_milik kuitansi nota
rekapan_togel kupon_togel kartu_remi jerigen_solar mesin_pompa_air sepeda genset
""")
DOKUMEN = _words("""
Relaas_Panggilan Penetapan_Hari_Sidang Penetapan_Majelis_Hakim Berita_Acara_Sidang Salinan_Putusan
Petikan_Putusan Akta_Banding Akta_Pikir-pikir Surat_Kuasa Penetapan_Penahanan Tanda_Terima_Berkas
SKUM Akta_Cerai Surat_Keterangan_Inkracht Penetapan_Sita Berita_Acara_Eksekusi
""")
PREFIX_HP = _words("""
0811 0812 0813 0821 0822 0823 0852 0853 0856 0857 0858 0877 0878 0881 0895 0896
""")
PROVINSI = (11, 12, 13, 14, 15, 16, 21, 31, 32, 33, 34, 35, 36, 51, 52, 61, 63, 64, 71, 73)

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
# Sentences with drawn fields, mixed into the generated prose.
FILLER = (
    "bahwa perbuatan tersebut dilakukan dengan sengaja dan disadari sepenuhnya oleh terdakwa",
    "bahwa akibat perbuatan terdakwa saksi {saksi} mengalami kerugian sebesar Rp{uang}",
    "bahwa barang bukti telah disita secara sah oleh penyidik Kepolisian Resor {kab}",
    "bahwa terdakwa ditangkap oleh petugas kepolisian di {alamat} sekitar pukul {jam} WIB",
    "bahwa berdasarkan Berita Acara Pemeriksaan Laboratoris Nomor {lab} tanggal {tgl} "
    "barang bukti tersebut positif mengandung metamfetamina",
    "bahwa saksi {saksi} melihat langsung kejadian tersebut dan segera melaporkannya kepada "
    "saksi {saksi2}",
    "bahwa terdakwa tidak memiliki izin dari pihak yang berwenang",
    "bahwa dari tangan terdakwa ditemukan {n} ({terbilang}) {unit} {barang} merk {merk} "
    "warna {warna} dengan nomor polisi {nopol}",
    "bahwa terdakwa menjual barang tersebut kepada saksi {saksi} seharga Rp{uang}",
    "bahwa berdasarkan Visum et Repertum Nomor {visum} tanggal {tgl} yang dibuat oleh dr. "
    "{saksi} ditemukan luka memar pada bagian {bagian}",
)
PERDATA = (
    "bahwa Penggugat dan Tergugat telah membuat perjanjian tertanggal {tgl} tentang {obyek}",
    "bahwa Tergugat tidak memenuhi kewajibannya sebagaimana diperjanjikan sehingga Penggugat "
    "menderita kerugian materiil sebesar Rp{uang}",
    "bahwa Penggugat telah menegur Tergugat sebanyak {n} ({terbilang}) kali secara patut, "
    "terakhir dengan surat tanggal {tgl}, namun tidak diindahkan",
    "bahwa obyek sengketa berupa sebidang tanah seluas {luas} m2 sesuai Sertifikat Hak Milik "
    "Nomor {shm} terletak di {alamat}",
    "bahwa perbuatan Tergugat merupakan perbuatan melawan hukum sebagaimana Pasal 1365 KUHPerdata",
    "bahwa untuk menjamin gugatan ini Penggugat mohon diletakkan sita jaminan atas {barang} "
    "milik Tergugat",
    "bahwa Pemohon mengajukan permohonan ini untuk keperluan administrasi kependudukan di "
    "Dinas Kependudukan dan Pencatatan Sipil {kab}",
)
OBYEK = (
    "jual beli kendaraan bermotor",
    "pinjam meminjam uang",
    "sewa menyewa ruko",
    "jual beli sebidang tanah",
    "kerja sama usaha perkebunan kelapa sawit",
    "pembangunan rumah tinggal",
    "pengadaan bibit sawit",
    "sewa alat berat",
    "jual beli hasil panen karet",
    "pembiayaan konsumen",
)
BAGIAN = _words("""
kepala pelipis_kiri pelipis_kanan lengan_kiri lengan_kanan dada punggung kaki_kiri kaki_kanan
wajah pipi bibir hidung leher perut jari_tangan
""")
AGENDA = (
    "Pembacaan Surat Dakwaan",
    "Pemeriksaan Saksi-saksi",
    "Pemeriksaan Saksi Verbalisan",
    "Pemeriksaan Saksi A de Charge",
    "Pemeriksaan Ahli",
    "Pemeriksaan Terdakwa",
    "Pembacaan Tuntutan",
    "Pembelaan (Pledoi)",
    "Replik",
    "Duplik",
    "Musyawarah Majelis",
    "Pembacaan Putusan",
    "Putusan Sela",
    "Eksepsi",
    "Tanggapan atas Eksepsi",
    "Mediasi",
    "Laporan Mediator",
    "Pembacaan Gugatan",
    "Perbaikan Gugatan",
    "Jawaban Tergugat",
    "Pembuktian Penggugat",
    "Pembuktian Tergugat",
    "Bukti Surat",
    "Kesimpulan",
    "Pemeriksaan Setempat",
    "Pemeriksaan Identitas Para Pihak",
    "Pemeriksaan Berkas Permohonan",
    "Penetapan",
)
TUNDA = (
    "Saksi tidak hadir",
    "Saksi korban tidak hadir",
    "Terdakwa sakit",
    "Terdakwa tidak dihadirkan",
    "Penuntut Umum belum siap dengan tuntutan",
    "Penasihat Hukum belum siap dengan pembelaan",
    "Majelis Hakim berhalangan",
    "Hakim Ketua cuti",
    "Tergugat tidak hadir meskipun telah dipanggil patut",
    "Kuasa Penggugat minta waktu",
    "Menunggu hasil mediasi",
    "Relaas panggilan belum kembali",
    "Para pihak mengajukan bukti tambahan",
    "Memberi kesempatan kepada Tergugat mengajukan jawaban",
)
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


# The prose generator's knobs, set so that dumps compress like real SIPP dumps (about
# 3.6x with gzip -6): word groups in the phrase book, the Zipf exponent of their use, the
# share of drawn names/dates/sums, and of template sentences.
PHRASES = 60000
ZIPF = 0.45
WORD_ZIPF = 0.7
PHRASE_WORDS = 3
ENTITY_RATE = 0.2
TEMPLATE_RATE = 0.1


def esc(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ts(value: dt.datetime) -> str:
    return value.strftime("'%Y-%m-%d %H:%M:%S'")


def ds(value: dt.date) -> str:
    return value.strftime("'%Y-%m-%d'")


def tanggal(value: dt.date) -> str:
    """A date as Indonesian documents write it: 5 Maret 2024."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class Batch:
    """Multi-row INSERTs of about ``limit`` bytes each."""

    def __init__(self, out: TextIO, table: str, columns: str, limit: int = 1 << 20) -> None:
        self.out = out
        self.head = f"INSERT INTO {table} ({columns}) VALUES\n"
        self.rows: list[str] = []
        self.size = 0
        self.limit = limit

    def add(self, row: str) -> None:
        self.rows.append(row)
        self.size += len(row)
        if self.size >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.out.write(self.head + ",\n".join(self.rows) + ";\nCOMMIT;\n")
            self.rows = []
            self.size = 0


class Fields:
    """The fields of a template sentence, each drawn only when the template uses it."""

    def __init__(self, gen: Generator, when: dt.date) -> None:
        self.gen = gen
        self.when = when
        self.count = 1

    def __getitem__(self, key: str) -> str:
        g, r = self.gen, self.gen.rng
        if key in ("saksi", "saksi2"):
            return g.person()[0]
        if key == "alamat":
            return g.address()
        if key == "tgl":
            return tanggal(self.when - dt.timedelta(days=r.randint(0, 90)))
        if key == "n":
            self.count = r.randint(1, 12)
            return str(self.count)
        if key == "terbilang":
            return TERBILANG[self.count]
        simple: dict[str, Callable[[], str]] = {
            "uang": g.money,
            "gram": lambda: f"{r.randint(1, 2500) / 100:.2f}".replace(".", ","),
            "kab": lambda: r.choice(KABUPATEN),
            "obyek": lambda: r.choice(OBYEK),
            "luas": lambda: str(r.randint(80, 20000)),
            "jam": lambda: f"{r.randint(0, 23):02d}.{r.randint(0, 59):02d}",
            "barang": lambda: r.choice(BARANG),
            "merk": lambda: r.choice(MERK),
            "warna": lambda: r.choice(WARNA),
            "unit": lambda: r.choice(UNIT),
            "nopol": g.nopol,
            "bagian": lambda: r.choice(BAGIAN),
            "lab": lambda: f"{r.randint(100, 9999)}/NNF/{self.when.year}",
            "visum": lambda: f"445/{r.randint(10, 999)}/RSUD/{self.when.year}",
            "shm": lambda: f"{r.randint(1, 3999):04d}/{r.choice(VILLAGE_HEAD)}",
        }
        return simple[key]()


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
        self.type_cum = cumulative(t[3] for t in CASE_TYPES)
        self.usernames: list[str] = []
        self.nomor: list[tuple[str, str]] = []  # (nomor_perkara, para_pihak) per case
        # The phrase book: the legal phrases, then word groups drawn from VOCAB (frequent
        # words first); phrases are picked with Zipf-like weights, as words are in text.
        book = random.Random(SCHEMA_VERSION)  # noqa: S311
        words = list(VOCAB)
        for root in ROOTS:
            words += (f"di{root}", f"di{root}kan", f"ter{root}", f"ber{root}", f"{root}an")
            words += (f"pe{root}an", f"ke{root}an", f"{root}nya")
        word_cum = cumulative(1 / (i + 8) ** WORD_ZIPF for i in range(len(words)))
        sizes = [book.randint(1, PHRASE_WORDS) for _ in range(PHRASES)]
        drawn = iter(book.choices(words, cum_weights=word_cum, k=sum(sizes)))
        self.phrases = list(LEGAL_PHRASES)
        self.phrases += (" ".join(itertools.islice(drawn, size)) for size in sizes)
        self.phrase_cum = cumulative(1 / (i + 3) ** ZIPF for i in range(len(self.phrases)))
        # The court's own staff: the same few names recur, as in a real court.
        self.hakim = [self.staff_name(r", S.H.|, S.H., M.H.|, S.H., M.Hum.") for _ in range(9)]
        self.panitera = [self.staff_name(", S.H.|, S.H., M.H.|") for _ in range(8)]
        self.jurusita = [self.staff_name("|, S.H.|, A.Md.") for _ in range(5)]
        self.jaksa = [self.staff_name(", S.H.|, S.H., M.H.") for _ in range(12)]

    # --- text -------------------------------------------------------------------------
    def staff_name(self, titles: str) -> str:
        name = self.person()[0].split(" bin")[0]
        return name + self.rng.choice(titles.split("|"))

    def person(self) -> tuple[str, str]:
        r = self.rng
        if r.random() < 0.68:
            given, sex, link = MALE, "L", "bin"
        else:
            given, sex, link = FEMALE, "P", "binti"
        name = r.choice(given)
        if r.random() < 0.3:
            name += " " + r.choice(given)
        if r.random() < 0.6:
            name += " " + r.choice(FAMILY)
        if r.random() < 0.45:
            name += f" {link} {r.choice(MALE)}"
            if r.random() < 0.3:
                name += " " + r.choice(FAMILY)
        if r.random() < 0.04:
            name += " alias " + r.choice(NICKNAMES)
        return name, sex

    def village(self) -> str:
        r = self.rng
        tail = r.choice(VILLAGE_TAIL)
        return r.choice(VILLAGE_HEAD) + (tail if tail.islower() else " " + tail)

    def address(self) -> str:
        r = self.rng
        pick = r.random()
        number = f"No. {r.randint(1, 350)}{r.choice(('', '', '', '', 'A', 'B', 'C'))}"
        if pick < 0.6:
            street = f"Jl. {r.choice(STREETS)} {number}"
        elif pick < 0.75:
            street = f"Gg. {r.choice(STREETS)} {number}"
        elif pick < 0.85:
            street = (
                f"Perum {r.choice(COMPANY_WORD)} {r.choice(COMPANY_WORD)} Blok "
                f"{r.choice('ABCDEFGHJK')}-{r.randint(1, 40)}"
            )
        else:
            street = f"Dusun {r.choice(TERBILANG[1:8]).title()}"
        desa = "Kel." if r.random() < 0.6 else "Desa"
        return (
            f"{street}, RT {r.randint(1, 25):03d}/RW {r.randint(1, 12):03d}, {desa} "
            f"{self.village()}, Kec. {r.choice(KECAMATAN)}, {r.choice(KABUPATEN)}"
        )

    def money(self) -> str:
        r = self.rng
        value = r.randint(1, 9999) * r.choice((1000, 5000, 10000, 50000, 100000))
        return f"{value:,}".replace(",", ".") + r.choice((",00", "", ",-"))

    def nopol(self) -> str:
        r = self.rng
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        return (
            f"{r.choice(('BM', 'BM', 'BK', 'BA', 'BH', 'BG', 'BP', 'N', 'L', 'W', 'B'))} "
            f"{r.randint(1, 9999)} {r.choice(letters)}{r.choice(letters)}"
        )

    def nik(self, born: dt.date, sex: str) -> str:
        """A 16-digit NIK: region codes, birth date (+40 on the day for women), serial."""
        r = self.rng
        day = born.day + (40 if sex == "P" else 0)
        return (
            f"{r.choice(PROVINSI)}{r.randint(1, 79):02d}{r.randint(1, 30):02d}"
            f"{day:02d}{born.month:02d}{born.year % 100:02d}{r.randint(1, 3999):04d}"
        )

    def phone(self) -> str:
        r = self.rng
        number = f"{r.choice(PREFIX_HP)}{r.randint(10**6, 10**8 - 1)}"
        pick = r.random()
        if pick < 0.2:
            return "+62" + number[1:]
        if pick < 0.4:
            return f"{number[:4]}-{number[4:8]}-{number[8:]}"
        return number

    def company(self) -> str:
        r = self.rng
        words = r.sample(COMPANY_WORD, r.randint(1, 3))
        return f"{r.choice(COMPANY_FORM)} {' '.join(words)}"

    def fill(self, template: str, when: dt.date) -> str:
        """The template with its fields drawn, first letter upper case."""
        text = template.format_map(Fields(self, when))
        return text[:1].upper() + text[1:]

    def entity(self, when: dt.date) -> str:
        """A name, date, sum, place or number inside generated prose."""
        r = self.rng
        pick = r.randrange(8)
        if pick == 0:
            return self.person()[0]
        if pick == 1:
            return "tanggal " + tanggal(when + dt.timedelta(days=r.randint(-400, 60)))
        if pick == 2:
            return "sebesar Rp" + self.money()
        if pick == 3:
            return f"di {r.choice(('Desa', 'Kelurahan', 'Dusun'))} {self.village()}"
        if pick == 4:
            return f"pukul {r.randint(0, 23):02d}.{r.randint(0, 59):02d} WIB"
        if pick == 5:
            n = r.randint(1, 20)
            return f"{n} ({TERBILANG[n]}) {r.choice(UNIT)} {r.choice(BARANG)}"
        if pick == 6:
            return f"merk {r.choice(MERK)} warna {r.choice(WARNA)} nomor polisi {self.nopol()}"
        return f"Kecamatan {r.choice(KECAMATAN)} {r.choice(KABUPATEN)}"

    def prose(self, sentences: int, when: dt.date, templates: tuple[str, ...]) -> str:
        """Sentences of legal-sounding Indonesian from the phrase book, with drawn names,
        dates, sums and places, and some template sentences; varied in length."""
        r = self.rng
        out = []
        for _ in range(sentences):
            if r.random() < TEMPLATE_RATE:
                out.append(self.fill(r.choice(templates), when) + ";")
                continue
            parts = r.choices(self.phrases, cum_weights=self.phrase_cum, k=r.randint(3, 16))
            for i in range(len(parts)):
                if r.random() < ENTITY_RATE:
                    parts[i] = self.entity(when)
            out.append(f"{r.choice(OPENERS)} {' '.join(parts)}{r.choice(ENDS)}")
        return " ".join(out)

    def pasal(self, jenis: str) -> str:
        r = self.rng
        text = PASAL.get(jenis, f"Pasal {r.randint(100, 500)} KUHP")
        if r.random() < 0.3:
            text += r.choice(
                (
                    " jo. Pasal 55 ayat (1) ke-1 KUHP",
                    " jo. Pasal 64 ayat (1) KUHP",
                    " jo. Pasal 53 ayat (1) KUHP",
                    " jo. Pasal 56 ke-1 KUHP",
                )
            )
        return text

    def pokok_pidana(self, nama: str, jenis: str, when: dt.date) -> str:
        r = self.rng
        act = r.choice(ACTS.get(jenis, ("melakukan tindak pidana " + jenis.lower(),)))
        jam = f"{r.randint(0, 23):02d}.{r.randint(0, 59):02d}"
        dakwaan = r.choice(("", "PERTAMA: ", "KESATU: ", "PRIMAIR: "))
        head = (
            f"{dakwaan}Bahwa terdakwa {nama} pada hari {DAYS[when.weekday()]} tanggal "
            f"{tanggal(when)} sekitar pukul {jam} WIB atau setidak-tidaknya pada suatu waktu "
            f"dalam bulan {MONTHS[when.month - 1]} tahun {when.year}, bertempat di "
            f"{self.address()} atau setidak-tidaknya di suatu tempat yang masih termasuk "
            f"dalam daerah hukum {self.args.court_name}, telah {self.fill(act, when)}."
        )
        body = self.prose(r.randint(1, 9), when, FILLER)
        tail = (
            f" Perbuatan terdakwa sebagaimana diatur dan diancam pidana dalam {self.pasal(jenis)}."
        )
        return head + " " + body + tail

    def numbered(self, items: int, when: dt.date, templates: tuple[str, ...]) -> str:
        r = self.rng
        return " ".join(
            f"{i}. {self.prose(r.randint(1, 2), when, templates)}" for i in range(1, items + 1)
        )

    def amar(self, pidana: bool, nama: str, jenis: str, sname: str, put: dt.date) -> str:
        r = self.rng
        if not pidana:
            return (
                f"MENGADILI: DALAM POKOK PERKARA: 1. {sname} gugatan/permohonan untuk "
                f"{r.choice(('seluruhnya', 'sebagian'))}; "
                + self.numbered(r.randint(1, 4), put, PERDATA)
                + f" Membebankan biaya perkara sejumlah Rp{self.money()}."
            )
        if sname in ("Lepas", "Bebas"):
            return (
                f"MENGADILI: 1. Menyatakan Terdakwa {nama} tersebut di atas tidak terbukti "
                f'secara sah dan meyakinkan bersalah melakukan tindak pidana "{jenis}"; '
                f"2. {'Membebaskan' if sname == 'Bebas' else 'Melepaskan'} Terdakwa oleh karena "
                f"itu dari {'dakwaan' if sname == 'Bebas' else 'segala tuntutan hukum'} Penuntut "
                f"Umum; 3. Memulihkan hak-hak Terdakwa dalam kemampuan, kedudukan, harkat serta "
                f"martabatnya; 4. Membebankan biaya perkara kepada Negara. "
                + self.prose(r.randint(1, 3), put, FILLER)
            )
        months = r.randint(2, 120)
        lama = " ".join(
            part
            for part in (
                f"{months // 12} ({TERBILANG[months // 12]}) tahun" if months >= 12 else "",
                f"{months % 12} ({TERBILANG[months % 12]}) bulan" if months % 12 else "",
            )
            if part
        )
        tahanan = r.choice(
            (
                "Menetapkan Terdakwa tetap ditahan",
                "Memerintahkan Terdakwa tetap berada dalam tahanan",
                "Memerintahkan agar Terdakwa segera dikeluarkan dari tahanan",
                "Menetapkan penahanan kota terhadap Terdakwa",
            )
        )
        items = "; ".join(
            f"{n} ({TERBILANG[n]}) {r.choice(UNIT)} {r.choice(BARANG)}"
            + (f" merk {r.choice(MERK)} warna {r.choice(WARNA)}" if r.random() < 0.4 else "")
            for n in (r.randint(1, 20) for _ in range(r.randint(1, 8)))
        )
        back = r.choice(
            (
                "dirampas untuk dimusnahkan",
                "dirampas untuk negara",
                f"dikembalikan kepada saksi {self.person()[0]}",
                "dipergunakan dalam perkara lain",
            )
        )
        denda = (
            f" dan denda sejumlah Rp{self.money()} dengan ketentuan apabila denda tidak dibayar "
            f"diganti dengan pidana penjara selama {r.randint(1, 6)} bulan"
            if r.random() < 0.4
            else ""
        )
        return (
            f"MENGADILI: 1. Menyatakan Terdakwa {nama} telah terbukti secara sah dan "
            f'meyakinkan bersalah melakukan tindak pidana "{jenis}" sebagaimana dalam dakwaan '
            f"{r.choice(('Tunggal', 'Pertama', 'Kesatu', 'Alternatif Kedua', 'Primair'))}; "
            f"2. Menjatuhkan pidana kepada Terdakwa oleh karena itu dengan {sname.lower()} "
            f"selama {lama}{denda}; 3. Menetapkan masa penangkapan dan penahanan yang telah "
            f"dijalani Terdakwa dikurangkan seluruhnya dari pidana yang dijatuhkan; 4. {tahanan}; "
            f"5. Menetapkan barang bukti berupa: {items}; {back}; 6. Membebankan kepada "
            f"Terdakwa membayar biaya perkara sejumlah "
            f"Rp{r.choice(('2.000', '2.500', '5.000', '10.000'))},00. "
            + self.prose(r.randint(0, 2), put, FILLER)
        ).rstrip()

    # --- tables -----------------------------------------------------------------------
    def new_pihak(self, batch: Batch, when: dt.datetime, company: bool) -> tuple[int, str, str]:
        r = self.rng
        self.pihak_id += 1
        addr = self.address()
        entered = when + dt.timedelta(seconds=r.randint(0, 7200))
        if company:
            name = self.company()
            row = (
                f"({self.pihak_id},2,{esc(name)},NULL,NULL,NULL,NULL,NULL,NULL,{esc(addr)},"
                f"NULL,'0{r.randint(61, 779)}-{r.randint(20000, 899999)}',{ts(entered)})"
            )
        else:
            name, sex = self.person()
            born = dt.date(r.randint(1950, 2006), r.randint(1, 12), r.randint(1, 28))
            row = (
                f"({self.pihak_id},1,{esc(name)},{esc(r.choice(CITIES))},{ds(born)},'{sex}',"
                f"'{r.choice(RELIGION)}',{esc(r.choice(JOBS))},'{r.choice(EDUCATION)}',"
                f"{esc(addr)},'{self.nik(born, sex)}',"
                f"{esc(self.phone()) if r.random() < 0.8 else 'NULL'},{ts(entered)})"
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
        staff = self.usernames or ["admin"]
        for index, frac in enumerate(offsets, start=1):
            reg = start + dt.timedelta(seconds=int(frac * span_days * 86400))
            reg = reg.replace(hour=r.randint(8, 15), minute=r.randint(0, 59))
            kind = r.choices(range(len(CASE_TYPES)), cum_weights=self.type_cum)[0]
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
            when = reg.date()
            if pidana:
                p1_text = "Penuntut Umum: " + r.choice(self.jaksa)
                p2_text = ", ".join(p[1] for p in p2)
                para = f"Penuntut Umum melawan Terdakwa {p2_text}"
                pokok = self.pokok_pidana(p2[0][1] if p2 else "-", nama_jenis, when)
                petitum, nilai = "NULL", "NULL"
            else:
                p1_text = ", ".join(p[1] for p in p1)
                p2_text = ", ".join(p[1] for p in p2)
                para = f"{p1_text} melawan {p2_text}" if p2 else p1_text
                pokok = self.numbered(r.randint(2, 6), when, PERDATA)
                petitum = esc(self.numbered(r.randint(2, 5), when, PERDATA))
                nilai = f"{r.randint(1, 5000) * r.choice((10000, 100000, 1000000))}.00"
            decided = age > r.randint(40, 180)
            status = (
                ("Minutasi" if decided and age > 200 else "Putusan")
                if decided
                else ("Persidangan" if age > 10 else "Pendaftaran")
            )
            who = r.choice(staff)
            updated = min(
                self.now,
                reg
                + dt.timedelta(
                    days=min(age, r.randint(1, 240)),
                    minutes=r.randint(0, 600),
                    seconds=r.randint(0, 59),
                ),
            )
            b_perkara.add(
                f"({index},{alur},{counters[key]},'{nomor}',{ds(when)},{kind + 1},"
                f"'{kode}',{esc(nama_jenis)},{esc(para)},{esc(p1_text)},{esc(p2_text)},"
                f"{esc(pokok)},{petitum},{nilai},'{status}',{esc(status)},'{who}',{ts(reg)},"
                f"'{r.choice(staff)}',{ts(updated)})"
            )
            # penetapan majelis and the hearings
            first = when + dt.timedelta(days=r.randint(7, 21))
            majelis = ", ".join(r.sample(self.hakim, 3))
            b_penetapan.add(
                f"({index},{ds(when + dt.timedelta(days=r.randint(1, 5)))},"
                f"{esc(majelis)},{esc(r.choice(self.panitera))},{esc(r.choice(self.jurusita))},"
                f"{ds(first)},{ds(first)},{ts(reg + dt.timedelta(minutes=r.randint(5, 9000)))})"
            )
            hearings = min(max(0, (age - 7) // 10), r.randint(2, 11))
            day = first
            for urut in range(1, hearings + 1):
                self.jadwal_id += 1
                b_jadwal.add(self.hearing(index, urut, day, reg, staff))
                day += dt.timedelta(days=r.choice((7, 7, 14, 21)))
            if decided:
                put = when + dt.timedelta(days=min(age - 1, r.randint(30, 160)))
                sid, sname = r.choice(STATUS_PUTUSAN[4:] if pidana else STATUS_PUTUSAN[:4])
                nama = p2[0][1] if p2 else p1[0][1]
                amar = self.amar(pidana, nama, nama_jenis, sname, put)
                minut = put + dt.timedelta(days=r.randint(1, 14))
                b_putusan.add(
                    f"({index},{ds(put)},{sid},'{sname}',{esc(amar)},"
                    f"{esc(self.pasal(nama_jenis) if pidana else 'KUHPerdata')},"
                    f"{ds(minut) if minut < self.now.date() else 'NULL'},"
                    f"{ds(put + dt.timedelta(days=r.randint(14, 40))) if age > 200 else 'NULL'},"
                    f"'{r.choice(staff)}',"
                    f"{ts(dt.datetime.combine(put, dt.time(r.randint(10, 17), r.randint(0, 59))))})"
                )
            self.nomor.append((nomor, para))
        for batch in (b_perkara, b_pihak, *links.values(), b_jadwal, b_putusan, b_penetapan):
            batch.flush()

    def hearing(
        self, index: int, urut: int, day: dt.date, reg: dt.datetime, staff: list[str]
    ) -> str:
        """One perkara_jadwal_sidang row."""
        r = self.rng
        agenda = r.choice(AGENDA)
        if agenda.startswith("Pemeriksaan Saksi") and r.random() < 0.7:
            agenda += ": " + ", ".join(self.person()[0] for _ in range(r.randint(1, 3)))
        elif r.random() < 0.15:
            agenda += r.choice((" (lanjutan)", " (ditunda)", " secara elektronik (e-Court)"))
        if r.random() < 0.3:
            agenda += ". " + self.prose(1, day, FILLER)
        start = dt.datetime.combine(day, dt.time(r.randint(8, 15), r.choice((0, 0, 15, 30, 45))))
        end = start + dt.timedelta(minutes=r.randint(15, 180))
        tunda = r.random() < 0.2
        reason = "NULL"
        if tunda:
            nxt = day + dt.timedelta(days=r.choice((7, 7, 14)))
            text = (
                f"{r.choice(TUNDA)}; sidang ditunda hari {DAYS[nxt.weekday()]} tanggal "
                f"{tanggal(nxt)}"
            )
            if r.random() < 0.3:
                text += ". " + self.prose(1, day, FILLER)
            reason = esc(text)
        return (
            f"({self.jadwal_id},{index},{urut},{ds(day)},'{start:%H:%M}:00','{end:%H:%M}:00',"
            f"{esc(agenda)},'{r.choice(RUANG)}','{'Y' if r.random() < 0.03 else 'T'}',"
            f"'{'Y' if tunda else 'T'}',{reason},"
            f"'{r.choice(staff)}',"
            f"{ts(reg + dt.timedelta(days=urut, minutes=r.randint(0, 900)))})"
        )

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
        # each user works from one of a few computers
        ips = {
            u: [f"10.10.{r.randint(1, 3)}.{r.randint(10, 250)}" for _ in range(3)]
            for u in self.usernames
        }
        names = [a for a, _ in ACTIONS]
        cum = cumulative(w for _, w in ACTIONS)
        start = self.now - dt.timedelta(days=args.audit_days)
        span = int((self.now - start).total_seconds())
        for _ in range(args.audit_rows):
            when = self.audit_time(start, span)
            action = r.choices(names, cum_weights=cum)[0]
            user = r.choice(self.usernames)
            rows.append(self.audit_row(when, r.choice(ips[user]), user, action))
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
                ips["admin"][0],
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
        """What SIPP writes into the description: the record and the values changed."""
        r, action = self.rng, row[5]
        if action == "login_failed":
            return f"Gagal login user {row[2]} dari {row[1]}: password salah"
        if action in ("login", "logout"):
            return f"User {row[2]} {action} dari {row[1]}"
        ref = r.randint(1, max(1, len(self.nomor)))
        nomor, para = self.nomor[ref - 1] if self.nomor else ("-", "-")
        head = f"perkara_id={ref}, nomor_perkara={nomor}"
        when = row[0].date()
        if action == "view":
            return f"{head}, para_pihak={para}"
        if action == "print":
            return f"Mencetak {r.choice(DOKUMEN)} perkara {nomor} (perkara_id={ref})"
        if action == "update":
            values: dict[str, Callable[[], str]] = {
                "tanggal_sidang": lambda: ds(when - dt.timedelta(days=r.randint(0, 60))),
                "agenda": lambda: esc(r.choice(AGENDA)),
                "alamat": lambda: esc(self.address()),
                "nama": lambda: esc(self.person()[0]),
                "telepon": lambda: esc(self.phone()),
                "jam_sidang": lambda: f"'{r.randint(8, 15):02d}:{r.choice((0, 15, 30, 45)):02d}'",
            }
            field = r.choice(tuple(values))
            return f"{head}, {field}: {values[field]()} menjadi {values[field]()}"
        return f"{head}, id={r.randint(1, max(1, self.pihak_id))}"

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
        self.out.write("COMMIT;\n" + OBJECTS)
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
    parser.add_argument(
        "--objects",
        action="store_true",
        help="print only the views, trigger, function and event (CREATE OR REPLACE)",
    )
    parser.add_argument(
        "--print-objects",
        action="store_true",
        help="print the names of those objects, one per line, as the role checks them",
    )
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
    if args.objects:
        stream.write(OBJECTS)
        return 0
    if args.print_objects:
        stream.write("".join(name + "\n" for name in OBJECT_NAMES))
        return 0
    Generator(args, stream).run()
    stream.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
