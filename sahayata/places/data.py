"""The 23 districts of West Bengal, with some of their blocks and urban local bodies.

Names are the official English and Bengali spellings. District codes are three
characters and prefix centre codes (KOL0012). The PIN code is the district headquarters'
and only serves the demo's centre addresses. Each district lists a few real community
development blocks ("block"), municipalities ("municipality") and municipal corporations
("corporation"); the simulator and administrators add the rest.
"""

from __future__ import annotations

from typing import NamedTuple


class Unit(NamedTuple):
    kind: str  # block | municipality | corporation
    name_en: str
    name_bn: str


class DistrictData(NamedTuple):
    code: str
    name_en: str
    name_bn: str
    pin_code: str
    units: tuple[Unit, ...]


B, M, C = "block", "municipality", "corporation"

DISTRICTS: tuple[DistrictData, ...] = (
    DistrictData(
        "APD",
        "Alipurduar",
        "আলিপুরদুয়ার",
        "736121",
        (
            Unit(M, "Alipurduar Municipality", "আলিপুরদুয়ার পুরসভা"),
            Unit(B, "Alipurduar-I", "আলিপুরদুয়ার-১"),
            Unit(B, "Falakata", "ফালাকাটা"),
            Unit(B, "Kalchini", "কালচিনি"),
            Unit(B, "Kumargram", "কুমারগ্রাম"),
            Unit(B, "Madarihat-Birpara", "মাদারিহাট-বীরপাড়া"),
        ),
    ),
    DistrictData(
        "BNK",
        "Bankura",
        "বাঁকুড়া",
        "722101",
        (
            Unit(M, "Bankura Municipality", "বাঁকুড়া পুরসভা"),
            Unit(M, "Bishnupur Municipality", "বিষ্ণুপুর পুরসভা"),
            Unit(B, "Bankura-I", "বাঁকুড়া-১"),
            Unit(B, "Khatra", "খাতড়া"),
            Unit(B, "Onda", "ওন্দা"),
            Unit(B, "Chhatna", "ছাতনা"),
        ),
    ),
    DistrictData(
        "BIR",
        "Birbhum",
        "বীরভূম",
        "731101",
        (
            Unit(M, "Suri Municipality", "সিউড়ি পুরসভা"),
            Unit(M, "Bolpur Municipality", "বোলপুর পুরসভা"),
            Unit(B, "Bolpur-Sriniketan", "বোলপুর-শ্রীনিকেতন"),
            Unit(B, "Suri-I", "সিউড়ি-১"),
            Unit(B, "Rampurhat-I", "রামপুরহাট-১"),
            Unit(B, "Nalhati-I", "নলহাটি-১"),
        ),
    ),
    DistrictData(
        "COB",
        "Cooch Behar",
        "কোচবিহার",
        "736101",
        (
            Unit(M, "Cooch Behar Municipality", "কোচবিহার পুরসভা"),
            Unit(B, "Cooch Behar-I", "কোচবিহার-১"),
            Unit(B, "Dinhata-I", "দিনহাটা-১"),
            Unit(B, "Mathabhanga-I", "মাথাভাঙা-১"),
            Unit(B, "Tufanganj-I", "তুফানগঞ্জ-১"),
        ),
    ),
    DistrictData(
        "DDP",
        "Dakshin Dinajpur",
        "দক্ষিণ দিনাজপুর",
        "733101",
        (
            Unit(M, "Balurghat Municipality", "বালুরঘাট পুরসভা"),
            Unit(B, "Balurghat", "বালুরঘাট"),
            Unit(B, "Gangarampur", "গঙ্গারামপুর"),
            Unit(B, "Tapan", "তপন"),
            Unit(B, "Hili", "হিলি"),
        ),
    ),
    DistrictData(
        "DJL",
        "Darjeeling",
        "দার্জিলিং",
        "734101",
        (
            Unit(M, "Darjeeling Municipality", "দার্জিলিং পুরসভা"),
            Unit(C, "Siliguri Municipal Corporation", "শিলিগুড়ি পুরনিগম"),
            Unit(B, "Darjeeling Pulbazar", "দার্জিলিং পুলবাজার"),
            Unit(B, "Kurseong", "কার্শিয়াং"),
            Unit(B, "Matigara", "মাটিগাড়া"),
            Unit(B, "Naxalbari", "নকশালবাড়ি"),
            Unit(B, "Phansidewa", "ফাঁসিদেওয়া"),
        ),
    ),
    DistrictData(
        "HGY",
        "Hooghly",
        "হুগলি",
        "712101",
        (
            Unit(M, "Hugli-Chinsurah Municipality", "হুগলি-চুঁচুড়া পুরসভা"),
            Unit(C, "Chandannagar Municipal Corporation", "চন্দননগর পুরনিগম"),
            Unit(M, "Serampore Municipality", "শ্রীরামপুর পুরসভা"),
            Unit(B, "Chinsurah-Mogra", "চুঁচুড়া-মগরা"),
            Unit(B, "Arambagh", "আরামবাগ"),
            Unit(B, "Singur", "সিঙ্গুর"),
            Unit(B, "Tarakeswar", "তারকেশ্বর"),
            Unit(B, "Pandua", "পাণ্ডুয়া"),
        ),
    ),
    DistrictData(
        "HWH",
        "Howrah",
        "হাওড়া",
        "711101",
        (
            Unit(C, "Howrah Municipal Corporation", "হাওড়া পুরনিগম"),
            Unit(M, "Uluberia Municipality", "উলুবেড়িয়া পুরসভা"),
            Unit(B, "Domjur", "ডোমজুড়"),
            Unit(B, "Uluberia-I", "উলুবেড়িয়া-১"),
            Unit(B, "Amta-I", "আমতা-১"),
            Unit(B, "Bally-Jagachha", "বালি-জগাছা"),
            Unit(B, "Sankrail", "সাঁকরাইল"),
        ),
    ),
    DistrictData(
        "JPG",
        "Jalpaiguri",
        "জলপাইগুড়ি",
        "735101",
        (
            Unit(M, "Jalpaiguri Municipality", "জলপাইগুড়ি পুরসভা"),
            Unit(B, "Jalpaiguri Sadar", "জলপাইগুড়ি সদর"),
            Unit(B, "Maynaguri", "ময়নাগুড়ি"),
            Unit(B, "Rajganj", "রাজগঞ্জ"),
            Unit(B, "Dhupguri", "ধূপগুড়ি"),
            Unit(B, "Mal", "মাল"),
        ),
    ),
    DistrictData(
        "JGM",
        "Jhargram",
        "ঝাড়গ্রাম",
        "721507",
        (
            Unit(M, "Jhargram Municipality", "ঝাড়গ্রাম পুরসভা"),
            Unit(B, "Jhargram", "ঝাড়গ্রাম"),
            Unit(B, "Binpur-I", "বিনপুর-১"),
            Unit(B, "Gopiballavpur-I", "গোপীবল্লভপুর-১"),
            Unit(B, "Nayagram", "নয়াগ্রাম"),
        ),
    ),
    DistrictData(
        "KPG",
        "Kalimpong",
        "কালিম্পং",
        "734301",
        (
            Unit(M, "Kalimpong Municipality", "কালিম্পং পুরসভা"),
            Unit(B, "Kalimpong-I", "কালিম্পং-১"),
            Unit(B, "Kalimpong-II", "কালিম্পং-২"),
            Unit(B, "Gorubathan", "গরুবাথান"),
        ),
    ),
    DistrictData(
        "KOL",
        "Kolkata",
        "কলকাতা",
        "700001",
        (
            Unit(C, "Kolkata Municipal Corporation", "কলকাতা পুরনিগম"),
            Unit(C, "KMC Borough VI", "কলকাতা পুরনিগম বরো ৬"),
            Unit(C, "KMC Borough VIII", "কলকাতা পুরনিগম বরো ৮"),
            Unit(C, "KMC Borough X", "কলকাতা পুরনিগম বরো ১০"),
            Unit(C, "KMC Borough XII", "কলকাতা পুরনিগম বরো ১২"),
        ),
    ),
    DistrictData(
        "MLD",
        "Malda",
        "মালদহ",
        "732101",
        (
            Unit(M, "English Bazar Municipality", "ইংরেজবাজার পুরসভা"),
            Unit(B, "English Bazar", "ইংরেজবাজার"),
            Unit(B, "Old Malda", "পুরাতন মালদা"),
            Unit(B, "Chanchal-I", "চাঁচল-১"),
            Unit(B, "Harishchandrapur-I", "হরিশ্চন্দ্রপুর-১"),
            Unit(B, "Kaliachak-I", "কালিয়াচক-১"),
        ),
    ),
    DistrictData(
        "MSD",
        "Murshidabad",
        "মুর্শিদাবাদ",
        "742101",
        (
            Unit(M, "Berhampore Municipality", "বহরমপুর পুরসভা"),
            Unit(M, "Jiaganj-Azimganj Municipality", "জিয়াগঞ্জ-আজিমগঞ্জ পুরসভা"),
            Unit(B, "Berhampore", "বহরমপুর"),
            Unit(B, "Lalgola", "লালগোলা"),
            Unit(B, "Domkal", "ডোমকল"),
            Unit(B, "Raghunathganj-I", "রঘুনাথগঞ্জ-১"),
            Unit(B, "Kandi", "কান্দি"),
        ),
    ),
    DistrictData(
        "NDA",
        "Nadia",
        "নদিয়া",
        "741101",
        (
            Unit(M, "Krishnanagar Municipality", "কৃষ্ণনগর পুরসভা"),
            Unit(M, "Kalyani Municipality", "কল্যাণী পুরসভা"),
            Unit(B, "Krishnanagar-I", "কৃষ্ণনগর-১"),
            Unit(B, "Ranaghat-I", "রানাঘাট-১"),
            Unit(B, "Chakdaha", "চাকদহ"),
            Unit(B, "Nabadwip", "নবদ্বীপ"),
            Unit(B, "Tehatta-I", "তেহট্ট-১"),
        ),
    ),
    DistrictData(
        "N24",
        "North 24 Parganas",
        "উত্তর ২৪ পরগনা",
        "700124",
        (
            Unit(M, "Barasat Municipality", "বারাসত পুরসভা"),
            Unit(C, "Bidhannagar Municipal Corporation", "বিধাননগর পুরনিগম"),
            Unit(B, "Barasat-I", "বারাসত-১"),
            Unit(B, "Basirhat-I", "বসিরহাট-১"),
            Unit(B, "Habra-I", "হাবড়া-১"),
            Unit(B, "Bongaon", "বনগাঁ"),
            Unit(B, "Sandeshkhali-I", "সন্দেশখালি-১"),
        ),
    ),
    DistrictData(
        "PAB",
        "Paschim Bardhaman",
        "পশ্চিম বর্ধমান",
        "713301",
        (
            Unit(C, "Asansol Municipal Corporation", "আসানসোল পুরনিগম"),
            Unit(C, "Durgapur Municipal Corporation", "দুর্গাপুর পুরনিগম"),
            Unit(B, "Salanpur", "সালানপুর"),
            Unit(B, "Barabani", "বারাবনি"),
            Unit(B, "Jamuria", "জামুড়িয়া"),
            Unit(B, "Faridpur-Durgapur", "ফরিদপুর-দুর্গাপুর"),
            Unit(B, "Kanksa", "কাঁকসা"),
        ),
    ),
    DistrictData(
        "PAM",
        "Paschim Medinipur",
        "পশ্চিম মেদিনীপুর",
        "721101",
        (
            Unit(M, "Medinipur Municipality", "মেদিনীপুর পুরসভা"),
            Unit(M, "Kharagpur Municipality", "খড়্গপুর পুরসভা"),
            Unit(B, "Kharagpur-I", "খড়্গপুর-১"),
            Unit(B, "Medinipur Sadar", "মেদিনীপুর সদর"),
            Unit(B, "Debra", "ডেবরা"),
            Unit(B, "Ghatal", "ঘাটাল"),
            Unit(B, "Garbeta-I", "গড়বেতা-১"),
        ),
    ),
    DistrictData(
        "PUB",
        "Purba Bardhaman",
        "পূর্ব বর্ধমান",
        "713101",
        (
            Unit(M, "Bardhaman Municipality", "বর্ধমান পুরসভা"),
            Unit(B, "Burdwan-I", "বর্ধমান-১"),
            Unit(B, "Kalna-I", "কালনা-১"),
            Unit(B, "Katwa-I", "কাটোয়া-১"),
            Unit(B, "Memari-I", "মেমারি-১"),
            Unit(B, "Galsi-I", "গলসি-১"),
        ),
    ),
    DistrictData(
        "PUM",
        "Purba Medinipur",
        "পূর্ব মেদিনীপুর",
        "721636",
        (
            Unit(M, "Tamluk Municipality", "তমলুক পুরসভা"),
            Unit(M, "Haldia Municipality", "হলদিয়া পুরসভা"),
            Unit(B, "Tamluk", "তমলুক"),
            Unit(B, "Contai-I", "কাঁথি-১"),
            Unit(B, "Egra-I", "এগরা-১"),
            Unit(B, "Nandigram-I", "নন্দীগ্রাম-১"),
        ),
    ),
    DistrictData(
        "PRL",
        "Purulia",
        "পুরুলিয়া",
        "723101",
        (
            Unit(M, "Purulia Municipality", "পুরুলিয়া পুরসভা"),
            Unit(B, "Purulia-I", "পুরুলিয়া-১"),
            Unit(B, "Raghunathpur-I", "রঘুনাথপুর-১"),
            Unit(B, "Jhalda-I", "ঝালদা-১"),
            Unit(B, "Balarampur", "বলরামপুর"),
            Unit(B, "Manbazar-I", "মানবাজার-১"),
        ),
    ),
    DistrictData(
        "S24",
        "South 24 Parganas",
        "দক্ষিণ ২৪ পরগনা",
        "700027",
        (
            Unit(M, "Rajpur Sonarpur Municipality", "রাজপুর সোনারপুর পুরসভা"),
            Unit(M, "Baruipur Municipality", "বারুইপুর পুরসভা"),
            Unit(B, "Baruipur", "বারুইপুর"),
            Unit(B, "Diamond Harbour-I", "ডায়মন্ড হারবার-১"),
            Unit(B, "Canning-I", "ক্যানিং-১"),
            Unit(B, "Sagar", "সাগর"),
            Unit(B, "Budge Budge-I", "বজবজ-১"),
        ),
    ),
    DistrictData(
        "UDP",
        "Uttar Dinajpur",
        "উত্তর দিনাজপুর",
        "733134",
        (
            Unit(M, "Raiganj Municipality", "রায়গঞ্জ পুরসভা"),
            Unit(B, "Raiganj", "রায়গঞ্জ"),
            Unit(B, "Islampur", "ইসলামপুর"),
            Unit(B, "Kaliaganj", "কালিয়াগঞ্জ"),
            Unit(B, "Chopra", "চোপড়া"),
            Unit(B, "Itahar", "ইটাহার"),
        ),
    ),
)


def unit_code(district_code: str, index: int) -> str:
    """Stable code of the index-th unit of a district, e.g. ``HWH-03``."""
    return f"{district_code}-{index + 1:02d}"


def places_load() -> int:
    """Create or update every district and unit above, through the services. Idempotent."""
    from sahayata.places.services import block_upsert, district_upsert

    count = 0
    for data in DISTRICTS:
        district = district_upsert(code=data.code, name_en=data.name_en, name_bn=data.name_bn)
        for index, unit in enumerate(data.units):
            block_upsert(
                code=unit_code(data.code, index),
                district=district,
                name_en=unit.name_en,
                name_bn=unit.name_bn,
                kind=unit.kind,
            )
            count += 1
    return count
