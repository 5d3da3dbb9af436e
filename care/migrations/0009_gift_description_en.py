from django.db import migrations, models


def copy_description(apps, schema_editor):
    """Campaigns made before the English name existed keep their one description in both languages."""
    GiftCampaign = apps.get_model("care", "GiftCampaign")
    for campaign in GiftCampaign.objects.all():
        chinese, _sep, english = campaign.gift_description.partition(" / ")
        campaign.gift_description, campaign.gift_description_en = chinese, english or chinese
        campaign.save(update_fields=["gift_description", "gift_description_en"])


class Migration(migrations.Migration):
    dependencies = [('care', '0008_customer_search_keys')]

    operations = [
        migrations.AddField(
            model_name="giftcampaign", name="gift_description_en",
            field=models.CharField(default="", max_length=200, verbose_name="gift (English)"), preserve_default=False,
        ),
        migrations.AlterField(
            model_name="giftcampaign", name="gift_description",
            field=models.CharField(max_length=200, verbose_name="gift (Chinese)"),
        ),
        migrations.RunPython(copy_description, migrations.RunPython.noop),
    ]
