"""Real files with identifying metadata, made with the libraries that read them back."""

import io

from PIL import Image

AUTHOR = "Marjorie Quillfeather"
COMPANY = "Quillfeather Holdings"
GPS_LATITUDE = (52.0, 12.0, 34.56)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # Make
    exif[0x0110] = "CanaryCam Model 7"  # Model
    exif[0x013B] = AUTHOR  # Artist
    gps = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (1.0, 30.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=AUTHOR.encode())
    return out.getvalue()


def docx_with_author() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("The class list was left on the printer.")
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = AUTHOR
    document.core_properties.comments = f"Written by {AUTHOR}"
    out = io.BytesIO()
    document.save(out)
    # Add a company to app.xml, as Word does.
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/app.xml":
                data = data.replace(b"</Properties>", f"<Company>{COMPANY}</Company></Properties>".encode())
            target.writestr(info, data)
    return result.getvalue()


def pdf_with_author() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": AUTHOR, "/Producer": "CanaryWriter 3.1", "/Creator": COMPANY})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
